import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogSchema, plannerResultSchema } from '../../../shared/catalog';
import fixture from './fixtures/market-catalog.json';
import { createLlmPlanner } from './llm-planner';
import { createPlanner } from './planner';

const catalog = catalogSchema.parse(fixture);

interface Recorded {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    messages: Array<{ role: string; content: string }>;
    tools: Array<{ type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
  };
}

/** A chat-completions endpoint on 127.0.0.1 that answers with whatever the test scripts next. */
let server: Server;
let baseUrl: string;
let recorded: Recorded[] = [];
let reply: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      recorded.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Recorded['body'] });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

beforeEach(() => {
  recorded = [];
});

function toolCalls(...calls: Array<[name: string, args: Record<string, unknown> | string]>) {
  reply = {
    status: 200,
    body: JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: calls.map(([name, args], i) => ({
              id: `call_${i}`,
              type: 'function',
              function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
            })),
          },
        },
      ],
    }),
  };
}

const planner = () => createLlmPlanner({ baseUrl, model: 'stub-model', apiKey: 'sk-test' });
const plan = (text: string) => planner().plan({ text, catalog });

describe('LLM planner against a chat-completions stub', () => {
  it('offers every catalog service as a tool with its input schema, and sends model, key and request', async () => {
    toolCalls(['skycast_weather', { city: 'Paris' }]);
    const outcome = await plan('weather in Paris');
    expect(outcome).toEqual({
      ok: true,
      result: {
        kind: 'plan',
        plan: {
          request: 'weather in Paris',
          planner: 'llm',
          steps: [{ id: 's1', serviceId: 'skycast/weather', input: { city: 'Paris' }, reason: 'The model chose weather (SkyCast); city: "Paris".' }],
        },
      },
    });
    const [call] = recorded;
    expect(call?.path).toBe('/v1/chat/completions');
    expect(call?.headers.authorization).toBe('Bearer sk-test');
    expect(call?.body.model).toBe('stub-model');
    expect(call?.body.messages.at(-1)).toEqual({ role: 'user', content: 'weather in Paris' });
    const tools = new Map(call?.body.tools.map((t) => [t.function.name, t.function]));
    expect([...tools.keys()]).toEqual([...catalog.map((s) => s.id.replace('/', '_')), 'ask_user', 'report_unsupported']);
    expect(tools.get('wordsmith_translate')?.parameters).toMatchObject({ type: 'object', required: ['text', 'to'], properties: { to: { enum: ['es', 'fr', 'de', 'pt'] } } });
    expect(tools.get('wordsmith_translate')?.parameters).not.toHaveProperty('$schema');
    expect(tools.get('skycast_weather')?.description).toContain('50000 msat per call');
  });

  it('turns "$stepN" arguments into chained inputs', async () => {
    toolCalls(['wordsmith_summarise', { text: 'Long text. More text.' }], ['wordsmith_translate', { text: '$step1.summary', to: 'es' }]);
    const outcome = await plan('summarise and translate to Spanish');
    expect(outcome.ok && outcome.result.kind === 'plan' && outcome.result.plan.steps).toMatchObject([
      { id: 's1', serviceId: 'wordsmith/summarise', input: { text: 'Long text. More text.' } },
      { id: 's2', serviceId: 'wordsmith/translate', input: { to: 'es' }, inputFrom: { stepId: 's1', field: 'text', outputField: 'summary' } },
    ]);
    if (outcome.ok) expect(plannerResultSchema.safeParse(outcome.result).success).toBe(true);
  });

  it('asks for a required input the model left out', async () => {
    toolCalls(['wordsmith_translate', { text: 'hello' }]);
    expect(await plan('translate hello')).toEqual({
      ok: true,
      result: {
        kind: 'clarify',
        question: 'Which target language should I use for translate? Options: Spanish (es), French (fr), German (de), Portuguese (pt).',
        missingInput: { serviceId: 'wordsmith/translate', field: 'to' },
      },
    });
  });

  it('passes on the model\'s own question or "unsupported"', async () => {
    toolCalls(['ask_user', { question: 'Which city?' }]);
    expect(await plan('weather')).toEqual({ ok: true, result: { kind: 'clarify', question: 'Which city?' } });
    toolCalls(['report_unsupported', { missing: 'flight booking' }]);
    expect(await plan('book a flight')).toMatchObject({ ok: true, result: { kind: 'unsupported', missing: 'flight booking' } });
  });

  it.each([
    ['an input that fails the schema', [['wordsmith_translate', { text: 'hi', to: 'klingon' }]], 'llm_invalid_plan', /to: /],
    ['an unknown tool', [['acme_flights', { to: 'Rome' }]], 'llm_invalid_plan', /unknown tool acme_flights/],
    ['an undeclared input', [['skycast_weather', { city: 'Paris', units: 'F' }]], 'llm_invalid_plan', /units|Unrecognized/],
    ['a reference to a later call', [['wordsmith_translate', { text: '$step2', to: 'es' }], ['wordsmith_summarise', { text: 'x' }]], 'llm_invalid_plan', /\$step2/],
    ['arguments that are not JSON', [['skycast_weather', '{city: Paris']], 'llm_bad_response', /not a JSON object/],
  ] as const)('refuses %s before anything is quoted', async (_label, calls, reason, detail) => {
    toolCalls(...(calls as unknown as Array<[string, Record<string, unknown> | string]>));
    const outcome = await plan('anything');
    expect(outcome).toMatchObject({ ok: false, reason });
    if (!outcome.ok) expect(outcome.detail).toMatch(detail);
  });

  it('is held to the same bar as the built-in planner: chains checked against the schemas, no call twice', async () => {
    toolCalls(['daily-ledger_headlines', { topic: 'science' }], ['wordsmith_translate', { text: '$step1', to: 'es' }]);
    const chained = await plan('science headlines in Spanish');
    // The chain names the text inside the list, chosen by the headlines' output schema.
    expect(chained.ok && chained.result.kind === 'plan' && chained.result.plan.steps[1]?.inputFrom).toEqual({ stepId: 's1', field: 'text', outputField: 'headlines[].headline' });
    toolCalls(['satoshi-jokes_joke', {}], ['wordsmith_translate', { text: 'hello', to: '$step1' }]);
    expect(await plan('a joke, then translate into whatever it says')).toMatchObject({ ok: false, reason: 'llm_invalid_plan', detail: expect.stringMatching(/translate: to|cannot take the result of joke as its to/) });
    toolCalls(['skycast_weather', { city: 'Paris' }], ['skycast_weather', { city: 'Paris' }]);
    const twice = await plan('weather in Paris. Paris weather please');
    expect(twice.ok && twice.result.kind === 'plan' && twice.result.plan.steps).toHaveLength(1);
  });

  it('makes a partial plan when the model reports part of the request unsupported', async () => {
    toolCalls(['skycast_weather', { city: 'Paris' }], ['report_unsupported', { missing: 'book me a hotel' }]);
    expect(await plan('weather in Paris and book me a hotel')).toMatchObject({
      ok: true,
      result: { kind: 'plan', plan: { steps: [{ serviceId: 'skycast/weather' }], notDone: [{ said: 'book me a hotel' }] } },
    });
  });

  it('shows the model the previous exchange, so "translate that" can use the answer', async () => {
    toolCalls(['wordsmith_translate', { text: 'Why do miners never get lost?', to: 'es' }]);
    await planner().plan({ text: 'translate that into Spanish', catalog, previous: { request: 'tell me a joke', text: 'Why do miners never get lost?' } });
    expect(recorded[0]?.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'tell me a joke' },
      { role: 'assistant', content: 'Why do miners never get lost?' },
      { role: 'user', content: 'translate that into Spanish' },
    ]);
  });

  it('shows each step of a previous answer under its service, so "the summary" can be told from its translation', async () => {
    toolCalls(['wordsmith_sentiment', { text: 'Fees rose.' }]);
    const previous = { request: 'summarise and translate to german: ...', text: 'Gebühren stiegen.', parts: [{ names: ['summarise', 'summary'], text: 'Fees rose.' }, { names: ['translate'], text: 'Gebühren stiegen.' }] };
    await planner().plan({ text: 'the sentiment of the summary', catalog, previous });
    expect(recorded[0]?.body.messages[2]).toEqual({ role: 'assistant', content: 'summarise: Fees rose.\n\ntranslate: Gebühren stiegen.' });
  });

  it('reports HTTP errors, non-JSON bodies and wrong shapes as named failures', async () => {
    reply = { status: 500, body: '{"error":"boom"}' };
    expect(await plan('x')).toMatchObject({ ok: false, reason: 'llm_http_error' });
    reply = { status: 200, body: 'not json' };
    expect(await plan('x')).toMatchObject({ ok: false, reason: 'llm_bad_response' });
    reply = { status: 200, body: '{"choices":[]}' };
    expect(await plan('x')).toMatchObject({ ok: false, reason: 'llm_bad_response' });
  });

  it('treats a plain-text answer as a question back to the person', async () => {
    reply = { status: 200, body: JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Which currency?' } }] }) };
    expect(await plan('bitcoin price')).toEqual({ ok: true, result: { kind: 'clarify', question: 'Which currency?' } });
  });

  it('sends no Authorization header without a key, and reports an unreachable endpoint', async () => {
    toolCalls(['satoshi-jokes_joke', {}]);
    const outcome = await createLlmPlanner({ baseUrl: `${baseUrl}/`, model: 'm' }).plan({ text: 'a joke', catalog });
    expect(outcome).toMatchObject({ ok: true, result: { kind: 'plan', plan: { steps: [{ serviceId: 'satoshi-jokes/joke', input: {} }] } } });
    expect(recorded[0]?.headers.authorization).toBeUndefined();

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await createLlmPlanner({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' }).plan({ text: 'x', catalog })).toMatchObject({ ok: false, reason: 'llm_unreachable' });
  });
});

describe('createPlanner', () => {
  it('uses the LLM only when it is configured', async () => {
    expect(createPlanner({}).kind).toBe('builtin');
    expect(createPlanner({ llm: { baseUrl, model: 'm' } }).kind).toBe('llm');
    const outcome = await createPlanner({}).plan({ text: 'weather in Paris tomorrow', catalog, nowMs: Date.UTC(2026, 0, 1) });
    expect(outcome).toMatchObject({ ok: true, result: { kind: 'plan', plan: { planner: 'builtin', steps: [{ input: { city: 'Paris', date: '2026-01-02' } }] } } });
  });
});
