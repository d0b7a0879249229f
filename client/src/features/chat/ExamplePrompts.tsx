/** Requests that each use a service of the sandbox market: the empty chat and the Home page offer them. */
export const EXAMPLE_REQUESTS = ['Tell me a joke about bitcoin', "BTC price and today's fee estimate", 'Weather in Paris and London tomorrow', 'Summarise the weekly market report'];

/** Requests a person can send with one click: in the empty chat, and under a refusal that suggests them. */
export function ExamplePrompts(props: { examples: readonly string[]; onPick(text: string): void; disabled?: boolean; label: string }) {
  if (props.examples.length === 0) return null;
  return (
    <ul className="chat-examples" aria-label={props.label}>
      {props.examples.map((example) => (
        <li key={example}>
          <button type="button" className="chat-example" data-testid="example-prompt" onClick={() => props.onPick(example)} disabled={props.disabled}>
            {example}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The requests a refusal suggests, written in it between double quotes after its colon ("...: "a", "b"."). */
export function suggestedPrompts(message: string): string[] {
  const tail = /(?:Nearest things Steward can do|You can ask, for example):(.*)$/.exec(message)?.[1] ?? '';
  return [...tail.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').filter((s) => s.length > 0);
}
