import type { AnswerBlock, TaskAnswer } from './types';

/** A step's output for people: text, a list of facts, or a small table. */
export function Blocks(props: { blocks: AnswerBlock[] }) {
  return (
    <>
      {props.blocks.map((block, index) => {
        if (block.kind === 'text') {
          return (
            <p className="chat-answer-text" key={index}>
              {block.text}
            </p>
          );
        }
        if (block.kind === 'facts') {
          return (
            <dl className="chat-facts" key={index}>
              {block.facts.map((fact) => (
                <div key={fact.label}>
                  <dt>{fact.label}</dt>
                  <dd>{fact.value}</dd>
                </div>
              ))}
            </dl>
          );
        }
        return (
          <div className="chat-table-wrap" key={index}>
            <table className="chat-table">
              <thead>
                <tr>
                  {block.columns.map((column) => (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {block.rows.map((row, rowIndex) => (
                  <tr key={rowIndex}>
                    {row.map((cell, cellIndex) => (
                      <td key={cellIndex}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}

export function AnswerSummary(props: { answer: TaskAnswer }) {
  return (
    <div className="chat-answer" data-testid="task-answer">
      <h3>Answer</h3>
      {props.answer.summary.split('\n').map((line, index) => (
        <p key={index}>{line}</p>
      ))}
    </div>
  );
}
