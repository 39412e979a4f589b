import { Fragment, type ReactNode } from 'react';
import { formatLocalTime } from '../design/format.js';
import { MASK_WORDS } from './logLabels.js';

/** A masked part (`<num>`) or a time the service states in UTC (plainWords.describeTime). */
const PIECE = /<(num|path|ip|hex|uuid|url|\*)>|(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC/g;

/**
 * Text from the log analysis as a person reads it: masked parts of a template become a styled
 * token ("number") instead of raw `<num>`, and UTC times become local times like everywhere else.
 */
export function MarkedText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(PIECE)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    if (m[1] !== undefined) {
      parts.push(
        <span key={m.index} className="template-mask" title={`a varying ${MASK_WORDS[m[1]]}`}>
          {MASK_WORDS[m[1]]}
        </span>,
      );
    } else {
      parts.push(<Fragment key={m.index}>{formatLocalTime(`${m[2]}T${m[3]}:00Z`)}</Fragment>);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
