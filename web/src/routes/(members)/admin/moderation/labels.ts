/** Words for the flag queue that the discussion pages do not already have ($lib/discussions). */

export function statusLabel(status: string, hiddenReason: string | null): string {
  if (status === 'deleted') return 'Deleted';
  if (status === 'hidden')
    return hiddenReason === 'pii_flag'
      ? 'Hidden from members until a moderator decides (flagged for victim-identifying information)'
      : 'Hidden from members by a moderator';
  return 'Visible to members';
}
