import { parseClockRules } from '../../policy/clocks-file.js';
import { EXIT, writeLine } from '../io.js';
import { parseFileForCheck } from './check-file.js';

/** `perisai clocks check FILE`: validates a clock rules file and explains each problem with its line. */
export async function clocksCheck(path: string): Promise<number> {
  const result = await parseFileForCheck(path, parseClockRules);
  if (!result) return EXIT.usage;
  const { rules } = result;
  const statutory = rules.rules.filter((rule) => rule.basis === 'statutory').length;
  await writeLine(
    `${path} is valid: clocks ${rules.version}, ${rules.rules.length} rules (${statutory} statutory, ${rules.rules.length - statutory} target), alerts at ${rules.alerts.remainingFractions.join(', ')} of the window left and when overdue.`,
  );
  for (const rule of rules.rules) {
    const when = [
      rule.when.jurisdiction ?? 'any place',
      rule.when.reporter_types?.join('|') ?? 'any reporter',
      rule.when.categories?.join('|') ?? 'any category',
      ...(rule.when.appeal ? ['appeals only'] : []),
    ].join(' × ');
    const from = rule.source.in_force_from ? ` from ${rule.source.in_force_from}` : '';
    await writeLine(`  ${rule.id}: ${rule.hours} h ${rule.basis}${rule.ceiling ? ' (ceiling)' : ''}${from}; ${when}; ${rule.source.citation}`);
  }
  return EXIT.ok;
}
