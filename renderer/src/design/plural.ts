/** A count with its noun in the right number: "1 entry", "2 entries", "1,204 lines". */
export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
