import type { Command } from 'commander';
import { resolve } from 'node:path';

/** `esgen init [dir]`: scaffold esgen.config.yaml and an example spec; never overwrites. */
export function register(program: Command): void {
  program
    .command('init')
    .description('create esgen.config.yaml and an example spec in [dir] (default: the current folder)')
    .argument('[dir]', 'folder to initialise', '.')
    .option('--cwd <dir>', 'run as if started in <dir>')
    .action(async (dir: string, flags: { cwd?: string }) => {
      const target = resolve(process.cwd(), flags.cwd ?? '.', dir);
      const { scaffoldProject } = await import('../../generator/config/scaffold-project.js');
      const result = await scaffoldProject(target);
      if (!result.ok) {
        console.error(`esgen: not initialising ${target}: ${result.existing.map((f) => `\`${f}\``).join(', ')} already exist${result.existing.length === 1 ? 's' : ''}.`);
        console.error('Nothing was written. Remove or rename the existing files, or choose another folder.');
        process.exitCode = 1;
        return;
      }
      for (const file of result.written) console.log(`created ${file}`);
      const cd = dir === '.' ? '' : `cd ${dir} && `;
      console.log(`\nNext: ${cd}npx esgen build   (checks the specs, then generates the TypeScript and your class to edit)`);
    });
}
