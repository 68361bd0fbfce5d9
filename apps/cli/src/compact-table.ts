import Table from 'cli-table3';

/** A borderless-between-rows table for terminal output. */
export function compactTable(head: string[]): InstanceType<typeof Table> {
  return new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}
