/**
 * Plans with any OpenAI-compatible chat-completions endpoint that supports tool calling. Each catalog
 * service is offered as a function tool whose parameters are the service's input schema; the model's
 * tool calls become plan steps, in order. Nothing the model says is trusted: unknown tools, malformed
 * arguments and inputs that fail the service's schema are refused before anything is quoted.
 *
 * Chaining: an argument whose value is "$step<N>" (or "$step<N>.<field>") takes the output of the
 * model's N-th call, so "summarise, then translate the summary" is two calls with text "$step1".
 */
import { z } from 'zod';
import type { CatalogService, NotDone, PlanStep, PlannerResult } from '../../../shared/catalog';
import { checkInput, questionFor } from './input-schema';
import { validateSteps } from './plan-validation';
import type { PlanOutcome, PlanRequest, Planner, PreviousAnswer } from './planner';

export interface LlmPlannerConfig {
  /** e.g. http://127.0.0.1:11434/v1; `/chat/completions` is appended. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_STEPS = 8;
const ASK_TOOL = 'ask_user';
const UNSUPPORTED_TOOL = 'report_unsupported';
const STEP_REFERENCE = /^\$step(\d+)(?:\.([A-Za-z0-9_]+))?$/;

const SYSTEM_PROMPT = [
  'You plan paid API calls for a person. Each tool is one paid service; call the tools needed to do what the person asks, in order.',
  'Use only the tools given. Never invent a service, and never call a service the request does not need.',
  'To pass an earlier call\'s output into a later call, set that argument to "$step<N>" (e.g. "$step1"), where N is the position of the earlier call among your calls, or "$step<N>.<field>" for one field of it.',
  `If a required detail is missing or the request is ambiguous, call ${ASK_TOOL} with one short question instead.`,
  `If no tool can do what is asked, call ${UNSUPPORTED_TOOL} naming the kind of service that is missing; if only part of it, call the tools for the rest and ${UNSUPPORTED_TOOL} for that part.`,
  'Skip greetings and thanks. Call a service once per distinct input; to refer to your previous answer, pass its text.',
].join(' ');

const responseSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(z.object({ id: z.string().optional(), type: z.literal('function').optional(), function: z.object({ name: z.string(), arguments: z.string() }) }))
            .nullish(),
        }),
      }),
    )
    .min(1),
});

interface ToolCall {
  name: string;
  arguments: string;
}

export function createLlmPlanner(config: LlmPlannerConfig): Planner {
  const endpoint = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  return {
    kind: 'llm',
    async plan(request: PlanRequest): Promise<PlanOutcome> {
      const tools = toolsFor(request.catalog);
      const body = {
        model: config.model,
        temperature: 0,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          // A follow-up ("translate that") refers to the last answer: the model sees the exchange.
          ...(request.previous ? [{ role: 'user', content: request.previous.request }, { role: 'assistant', content: previousContent(request.previous) }] : []),
          { role: 'user', content: request.text },
        ],
        tools: [...tools.definitions, ...CONTROL_TOOLS],
        tool_choice: 'auto',
      };
      const timeout = AbortSignal.timeout(config.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
          body: JSON.stringify(body),
          signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
        });
      } catch (error) {
        return { ok: false, reason: 'llm_unreachable', detail: error instanceof Error ? error.message : String(error) };
      }
      if (!response.ok) return { ok: false, reason: 'llm_http_error', detail: `HTTP ${response.status} from ${endpoint}` };
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        return { ok: false, reason: 'llm_bad_response', detail: 'the response is not JSON' };
      }
      const parsed = responseSchema.safeParse(json);
      if (!parsed.success) return { ok: false, reason: 'llm_bad_response', detail: z.prettifyError(parsed.error) };
      const message = parsed.data.choices[0]?.message;
      const calls: ToolCall[] = (message?.tool_calls ?? []).map((c) => c.function);
      return toOutcome(request, calls, message?.content ?? '', tools.byName);
    },
  };
}

const CONTROL_TOOLS = [
  {
    type: 'function',
    function: {
      name: ASK_TOOL,
      description: 'Ask the person one clarifying question when a required detail is missing or the request is ambiguous.',
      parameters: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'], additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: UNSUPPORTED_TOOL,
      description: 'Say that no available service can do what is asked, naming the kind of service that is missing.',
      parameters: { type: 'object', properties: { missing: { type: 'string' } }, required: ['missing'], additionalProperties: false },
    },
  },
];

/** Tool names allow only [A-Za-z0-9_-]{1,64}; service ids have slashes, so names are mapped back. */
function toolsFor(catalog: readonly CatalogService[]) {
  const byName = new Map<string, CatalogService>();
  const definitions = catalog.map((service) => {
    let name = service.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
    for (let n = 2; byName.has(name) || name === ASK_TOOL || name === UNSUPPORTED_TOOL; n++) name = `${name.slice(0, 60)}_${n}`;
    byName.set(name, service);
    const { $schema: _dialect, ...parameters } = service.inputSchema;
    return {
      type: 'function',
      function: { name, description: `${service.description} (${service.providerName}; ${priceText(service)})`, parameters },
    };
  });
  return { definitions, byName };
}

function priceText(service: CatalogService): string {
  switch (service.pricing.model) {
    case 'fixed':
      return `${service.pricing.priceMsat} msat per call`;
    case 'formula':
      return `from ${service.pricing.baseMsat} msat, more with input size`;
    case 'dynamic':
      return 'price quoted per call';
  }
}

function toOutcome(request: PlanRequest, calls: ToolCall[], content: string, byName: ReadonlyMap<string, CatalogService>): PlanOutcome {
  const result = (r: PlannerResult): PlanOutcome => ({ ok: true, result: r });
  if (calls.length === 0) {
    // A model that answers in prose instead of calling a tool is asking something back.
    return content.trim() ? result({ kind: 'clarify', question: content.trim() }) : { ok: false, reason: 'llm_bad_response', detail: 'no tool calls and no text' };
  }
  if (calls.length > MAX_STEPS) return { ok: false, reason: 'llm_invalid_plan', detail: `${calls.length} calls; at most ${MAX_STEPS}` };

  const steps: PlanStep[] = [];
  // What the model said no service does, beside the calls it made: the plan is partial and says so.
  const notDone: NotDone[] = [];
  for (const call of calls) {
    const args = parseArguments(call.arguments);
    if (!args) return { ok: false, reason: 'llm_bad_response', detail: `arguments of ${call.name} are not a JSON object` };
    if (call.name === ASK_TOOL || call.name === UNSUPPORTED_TOOL) {
      const said = typeof args['question'] === 'string' ? args['question'] : typeof args['missing'] === 'string' ? args['missing'] : '';
      if (!said.trim()) return { ok: false, reason: 'llm_bad_response', detail: `${call.name} without text` };
      if (call.name === ASK_TOOL) return result({ kind: 'clarify', question: said.trim() });
      notDone.push({ said: said.trim(), why: 'no catalogued service does that.' });
      continue;
    }
    const service = byName.get(call.name);
    if (!service) return { ok: false, reason: 'llm_invalid_plan', detail: `unknown tool ${call.name}` };
    const step = toStep(service, args, steps.length, steps);
    if ('ok' in step) return step;
    if ('kind' in step) return result(step);
    steps.push(step);
  }
  const [first] = notDone;
  if (steps.length === 0) return first ? result({ kind: 'unsupported', missing: first.said, message: `No catalogued service can help with "${first.said}".` }) : { ok: false, reason: 'llm_bad_response', detail: 'no steps' };
  // The same bar as the built-in planner: no call twice, every chain checked against the published schemas.
  const checked = validateSteps(steps, request.catalog);
  if (!checked.ok) return { ok: false, reason: 'llm_invalid_plan', detail: `${checked.stepId}: ${checked.message}` };
  return result({ kind: 'plan', plan: { request: request.text, planner: 'llm', steps: checked.steps, ...(first ? { notDone } : {}) } });
}

function toStep(service: CatalogService, args: Record<string, unknown>, index: number, earlier: readonly PlanStep[]): PlanStep | PlannerResult | PlanOutcome {
  const input: Record<string, unknown> = {};
  let inputFrom: PlanStep['inputFrom'];
  for (const [field, value] of Object.entries(args)) {
    const reference = typeof value === 'string' ? STEP_REFERENCE.exec(value) : null;
    if (!reference) {
      input[field] = value;
      continue;
    }
    const from = earlier[Number(reference[1]) - 1];
    if (!from || inputFrom) return { ok: false, reason: 'llm_invalid_plan', detail: `call ${index + 1} refers to ${value}, which is not a single earlier call` };
    inputFrom = { stepId: from.id, field, ...(reference[2] ? { outputField: reference[2] } : {}) };
  }
  const check = checkInput(service, input, inputFrom ? [inputFrom.field] : []);
  if (!check.ok) {
    if (check.reason === 'missing_input') return { kind: 'clarify', question: questionFor(service, check.field), missingInput: { serviceId: service.id, field: check.field } };
    return { ok: false, reason: 'llm_invalid_plan', detail: `${service.id}: ${check.field}: ${check.message}` };
  }
  const shown = Object.entries(input).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  if (inputFrom) shown.push(`${inputFrom.field}: the output of step ${inputFrom.stepId}`);
  return {
    id: `s${index + 1}`,
    serviceId: service.id,
    input,
    ...(inputFrom ? { inputFrom } : {}),
    reason: `The model chose ${service.name} (${service.providerName})${shown.length ? `; ${shown.join('; ')}` : ''}.`,
  };
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The previous answer as the model sees it: its text, or, when several steps made it, each step's
 * text under its service's name, so "the summary" can be told from the translation made of it.
 */
function previousContent(previous: PreviousAnswer): string {
  const parts = previous.parts ?? [];
  if (parts.length <= 1) return previous.text;
  return parts.map((p) => `${p.names[0] ?? 'answer'}: ${p.text}`).join('\n\n');
}
