/**
 * The imports of one generated file, recorded as the emitters use names (never found by reading
 * the emitted text back): each use says which module a name comes from and whether only its type
 * is needed. A name used both as a type and as a value is imported as a value.
 */
import type { ImportDeclarationStructure, OptionalKind } from 'ts-morph';

export class FileImports {
  readonly #modules = new Map<string, Map<string, { typeOnly: boolean; local: string }>>();
  /** Names taken in the file: declared by it, or given to an import. */
  readonly #taken = new Set<string>();

  /**
   * Names the file declares itself. Declare them before importing anything: an import of the same
   * name (a value type called `SpecAggregate`, say) is then given another local name.
   */
  declare(...names: string[]): void {
    for (const name of names) this.#taken.add(name);
  }

  /** A name used as a value (a function, a constant, a class). Returns the local name to write. */
  value(module: string, name: string): string {
    const entry = this.#entry(module, name);
    entry.typeOnly = false;
    return entry.local;
  }

  /** A name used only in type positions. Returns the local name to write. */
  type(module: string, name: string): string {
    return this.#entry(module, name).local;
  }

  #entry(module: string, name: string): { typeOnly: boolean; local: string } {
    let names = this.#modules.get(module);
    if (!names) {
      names = new Map();
      this.#modules.set(module, names);
    }
    let entry = names.get(name);
    if (!entry) {
      // The first module to ask for a name gets it; another module's name of the same spelling
      // is imported under an alias (`SpecAggregate as SpecAggregate_`).
      let local = name;
      while (this.#taken.has(local)) local = `${local}_`;
      this.#taken.add(local);
      entry = { typeOnly: true, local };
      names.set(name, entry);
    }
    return entry;
  }

  /**
   * Import declarations: packages first, then relative modules, each sorted by specifier, names
   * sorted; `import type { … }` when every name of a module is a type.
   */
  declarations(): OptionalKind<ImportDeclarationStructure>[] {
    const relative = (specifier: string) => specifier.startsWith('.');
    const modules = [...this.#modules.keys()].sort((a, b) => (relative(a) === relative(b) ? compare(a, b) : relative(a) ? 1 : -1));
    return modules.map((moduleSpecifier) => {
      const names = [...this.#modules.get(moduleSpecifier)!.entries()].sort(([a], [b]) => compare(a, b));
      const allTypes = names.every(([, entry]) => entry.typeOnly);
      return {
        moduleSpecifier,
        isTypeOnly: allTypes,
        namedImports: names.map(([name, entry]) => ({
          name,
          ...(entry.local === name ? {} : { alias: entry.local }),
          ...(allTypes || !entry.typeOnly ? {} : { isTypeOnly: true }),
        })),
      };
    });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
