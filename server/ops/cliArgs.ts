/** `--name value` and `--name=value` options (only the names given) and positional arguments. */
export function parseArgs(argv: string[], names: string[]) {
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!names.includes(name)) return { options, positional, error: `Unknown option --${name}.` };
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return { options, positional, error: `--${name} needs a value.` };
    options[name] = value;
  }
  return { options, positional, error: null as string | null };
}
