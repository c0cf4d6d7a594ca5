import type { Command } from 'commander';
import { relative, resolve } from 'node:path';

/** `esgen init [dir]`: make [dir] a project that runs; never overwrites, only completes package.json. */
export function register(program: Command): void {
  program
    .command('init')
    .description('make [dir] (default: the current folder) a project that runs: config, a spec, src/main.ts, tsconfig.json, package.json scripts and dependencies')
    .argument('[dir]', 'folder to initialise', '.')
    .option('--cwd <dir>', 'run as if started in <dir>')
    .action(async (dir: string, flags: { cwd?: string }) => {
      const target = resolve(process.cwd(), flags.cwd ?? '.', dir);
      const { scaffoldProject } = await import('../../generator/config/scaffold-project.js');
      const result = await scaffoldProject(target);
      if (!result.ok) {
        console.error(`esgen: not initialising ${target}: ${result.problem}.`);
        console.error('Nothing was written.');
        process.exitCode = 1;
        return;
      }
      for (const file of result.written) console.log(`created ${file}`);
      const { packageJson } = result;
      if (packageJson.status === 'created') console.log('created package.json ("type": "module", scripts, dependencies)');
      if (packageJson.status === 'updated') console.log('updated package.json:');
      for (const change of packageJson.changes) console.log(`  ${change}`);
      for (const file of result.skipped) console.log(`skipped ${file} (it exists; left as it is)`);
      if (packageJson.kept.length > 0) console.log('package.json: left as they are:');
      for (const kept of packageJson.kept) console.log(`  ${kept}`);

      const keptDev = packageJson.kept.some((line) => line.startsWith('kept your script dev:'));
      console.log('\nNext:');
      // The steps run in the project folder: from where the user is, not from --cwd.
      const folder = relative(process.cwd(), target);
      if (folder !== '') console.log(`  cd ${/[\s'"]/.test(folder) ? JSON.stringify(folder) : folder}`);
      console.log('  npm install     installs what package.json lists (esgen, tsx, typescript, @types/node)');
      if (keptDev) console.log('  npm run esgen:build && npm start     generates src/generated, then runs src/main.ts');
      else console.log('  npm run dev     esgen build (generates src/generated), then runs src/main.ts and reruns it when src/ changes');
    });
}
