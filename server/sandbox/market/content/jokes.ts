import { seededRandom } from './seeded';

export const JOKE_TOPICS = ['bitcoin', 'lightning', 'programming', 'economics'] as const;
export type JokeTopic = (typeof JOKE_TOPICS)[number];

const JOKES: Record<JokeTopic, ReadonlyArray<{ setup: string; punchline: string }>> = {
  bitcoin: [
    { setup: 'Why did the bitcoiner bring a ladder to the bar?', punchline: 'He heard the drinks were on the house, and the house was on-chain.' },
    { setup: 'How many bitcoiners does it take to change a light bulb?', punchline: 'None. They just wait for the next block.' },
    { setup: 'Why do miners never get lost?', punchline: 'They always follow the longest chain.' },
    { setup: 'What did the full node say to the light client?', punchline: "Don't trust me. Verify." },
    { setup: 'Why was the private key so lonely?', punchline: 'It never shared itself with anyone.' },
  ],
  lightning: [
    { setup: 'Why did the Lightning payment cross the road?', punchline: 'It found a cheaper route on the other side.' },
    { setup: 'What do you call a channel that never closes?', punchline: 'A good relationship with fair fees.' },
    { setup: 'Why was the invoice nervous?', punchline: 'It knew it would expire in an hour.' },
    { setup: 'How does a Lightning node apologise?', punchline: 'It sends a small HTLC and hopes you settle.' },
    { setup: 'Why did the preimage keep a diary?', punchline: 'Someone had to remember the secret.' },
  ],
  programming: [
    { setup: 'Why do programmers prefer dark mode?', punchline: 'Because light attracts bugs.' },
    { setup: 'What is a programmer\'s favourite hangout place?', punchline: 'Foo bar.' },
    { setup: 'Why did the developer go broke?', punchline: 'He used up all his cache.' },
    { setup: 'How do you comfort a JavaScript bug?', punchline: 'You console it.' },
    { setup: 'Why was the integer afraid of the float?', punchline: 'It had heard what happens to money that goes floating point.' },
  ],
  economics: [
    { setup: 'Why did the central banker break up with the calendar?', punchline: 'Its days were numbered, but his money supply was not.' },
    { setup: 'What is an economist\'s favourite exercise?', punchline: 'Jumping to conclusions about the demand curve.' },
    { setup: 'Why did the sat refuse to be divided further?', punchline: 'It was already the smallest unit, and proud of it.' },
    { setup: 'How do you make a small fortune in fiat?', punchline: 'Start with a large one and wait.' },
    { setup: 'Why did the price oracle go to therapy?', punchline: 'Everyone kept asking it how it felt about the market.' },
  ],
};

export function tellJoke(input: { topic: JokeTopic; seed: string }): { topic: JokeTopic; setup: string; punchline: string } {
  const joke = seededRandom('joke', input.topic, input.seed).pick(JOKES[input.topic]);
  return { topic: input.topic, ...joke };
}
