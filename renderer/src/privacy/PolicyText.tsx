import { Fragment, type ReactNode } from 'react';
// The policy the headset runs, bundled at build time: the text shown is the text in the repository.
import policy from '../../../docs/privacy.md?raw';

export const POLICY_MARKDOWN = policy;

/** Inline markup of the policy: `code` and **bold**. */
function inline(text: string): ReactNode[] {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part, i) => {
    if (part.startsWith('`') && part.endsWith('`')) return <code key={i}>{part.slice(1, -1)}</code>;
    if (part.startsWith('**') && part.endsWith('**')) return <strong key={i}>{part.slice(2, -2)}</strong>;
    return <Fragment key={i}>{part}</Fragment>;
  });
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

/**
 * The privacy policy (docs/privacy.md) rendered for reading in the headset: the few Markdown forms it
 * uses (headings, paragraphs, lists, tables) and nothing else, so no HTML from the file is ever run.
 */
export function PolicyText() {
  const blocks = policy
    .split(/\n{2,}/)
    .map((b) => b.trim())
    .filter(Boolean);
  return (
    <article className="policy-text" data-testid="policy-text">
      {blocks.map((block, i) => {
        const heading = /^(#{1,4}) (.*)$/.exec(block);
        if (heading) {
          const level = heading[1]!.length;
          return level === 1 ? <h3 key={i}>{inline(heading[2]!)}</h3> : <h4 key={i}>{inline(heading[2]!)}</h4>;
        }
        const lines = block.split('\n');
        if (lines.every((l) => l.startsWith('|'))) {
          const [head, , ...rows] = lines;
          return (
            <table key={i}>
              <thead>
                <tr>
                  {cells(head!).map((c, j) => (
                    <th key={j}>{inline(c)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row, r) => (
                  <tr key={r}>
                    {cells(row).map((c, j) => (
                      <td key={j}>{inline(c)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }
        const item = /^(?:- |\d+\. )/;
        if (item.test(lines[0]!)) {
          // A list item may wrap over several lines: join the continuation lines to their item.
          const items: string[] = [];
          for (const line of lines) {
            if (item.test(line)) items.push(line.replace(item, ''));
            else items[items.length - 1] += ` ${line.trim()}`;
          }
          const List = /^\d/.test(lines[0]!) ? 'ol' : 'ul';
          return (
            <List key={i}>
              {items.map((t, j) => (
                <li key={j}>{inline(t)}</li>
              ))}
            </List>
          );
        }
        return <p key={i}>{inline(lines.join(' '))}</p>;
      })}
    </article>
  );
}
