/**
 * The config's `publishers:` lists against the specs: a publisher may add events to the spec's
 * public ones, but only events and aggregates the specs declare, and never an event a spec keeps
 * internal on purpose (`publish: false`). The publisher refuses the same at start (ESG235); found
 * here, the mistake is located in esgen.config.yaml at build and validate time.
 */
import type { PublisherConfig } from '../config/types.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { YamlLocator } from '../load/yaml-locator.js';
import type { AggregateDef, DomainIR, EventDef } from '../ir/types.js';

export function checkPublishers(
  publishers: Readonly<Record<string, PublisherConfig>>,
  domain: DomainIR,
  configFile: string,
  locator: YamlLocator,
): Diagnostic[] {
  const events = new Map<string, { event: EventDef; aggregate: AggregateDef }>();
  for (const aggregate of domain.aggregates) for (const event of aggregate.events) events.set(event.name, { event, aggregate });
  const aggregates = domain.aggregates.map((aggregate) => aggregate.name);
  const diagnostics: Diagnostic[] = [];
  const report = (code: 'ESG164' | 'ESG165', path: (string | number)[], message: string, hint: string | undefined) =>
    diagnostics.push({ code, severity: 'error', message, file: configFile, ...locator.locate(path), ...(hint ? { hint } : {}) });

  for (const [name, publisher] of Object.entries(publishers)) {
    (publisher.events ?? []).forEach((type, index) => {
      const found = events.get(type);
      if (found === undefined) {
        report('ESG164', ['publishers', name, 'events', index], `publisher \`${name}\` lists the event \`${type}\`, which no spec declares`, suggestion(type, [...events.keys()], 'events'));
      } else if ((found.event.publish ?? found.aggregate.publish) === false) {
        const where = found.event.publish === false ? `\`${type}\` says \`publish: false\`` : `\`${found.aggregate.name}\` says \`publish: false\``;
        report(
          'ESG165',
          ['publishers', name, 'events', index],
          `publisher \`${name}\` lists the event \`${type}\`, which its spec keeps internal (${where} in ${found.aggregate.file})`,
          `remove \`${type}\` from \`events\`, or mark it \`publish: true\` in the spec`,
        );
      }
    });
    (publisher.aggregates ?? []).forEach((type, index) => {
      if (!aggregates.includes(type))
        report('ESG164', ['publishers', name, 'aggregates', index], `publisher \`${name}\` lists the aggregate \`${type}\`, which no spec declares`, suggestion(type, aggregates, 'aggregates'));
    });
  }
  return diagnostics;
}
