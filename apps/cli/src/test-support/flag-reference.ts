import { type Command, Help } from 'commander';

export const flagReferenceStart =
  "<!-- flag reference: generated from the CLI's own option definitions by `pnpm --filter @contour/cli readme:flags`; a test keeps it equal -->";
export const flagReferenceEnd = '<!-- end of flag reference -->';

/** Table cell text: pipes escaped, `<dir>`-style placeholders kept visible (not read as HTML). */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', ' ');
}

function commandSection(command: Command, parents: readonly string[], help: Help): string[] {
  const path = [...parents, command.name()];
  const usage = [...path, help.subcommandTerm(command).slice(command.name().length).trim()].filter(Boolean);
  const lines = [`### \`${usage.join(' ')}\``, '', command.description(), ''];
  const options = help.visibleOptions(command).filter((option) => option.long !== '--help');
  if (options.length > 0) {
    lines.push('| flag | meaning |', '| --- | --- |');
    for (const option of options) {
      lines.push(
        `| \`${help.optionTerm(option).replaceAll('|', '\\|')}\` | ${cell(help.optionDescription(option))} |`,
      );
    }
    lines.push('');
  }
  for (const subcommand of help.visibleCommands(command)) {
    if (subcommand.name() === 'help') continue;
    lines.push(...commandSection(subcommand, path, help));
  }
  return lines;
}

/**
 * The README's reference of every command, subcommand and flag, from the program's own commander
 * definitions (flags, descriptions, defaults and choices as `--help` prints them).
 */
export function flagReference(program: Command): string {
  const help = new Help();
  const lines = [flagReferenceStart, ''];
  for (const command of program.commands) lines.push(...commandSection(command, [program.name()], help));
  lines.push(flagReferenceEnd);
  return lines.join('\n');
}

/** The README with its flag reference replaced by `reference` (appended when it has none). */
export function withFlagReference(readme: string, reference: string): string {
  const start = readme.indexOf(flagReferenceStart);
  const end = readme.indexOf(flagReferenceEnd);
  if (start === -1 || end === -1) return `${readme.trimEnd()}\n\n## Every command and flag\n\n${reference}\n`;
  return readme.slice(0, start) + reference + readme.slice(end + flagReferenceEnd.length);
}
