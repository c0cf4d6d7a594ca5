/**
 * Naming rules shared by every emitter, so a name is derived in exactly one place.
 * Spec identifiers are already valid TypeScript identifiers (the validator checks them).
 */

/** `BankAccount` → `bank-account`, `HTTPServer` → `http-server`: file and folder names. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** `OrderCreated` → `orderCreated`, `HTTPServer` → `httpServer`, `URL` → `url`: values and functions. */
export function camelCase(name: string): string {
  const capitals = /^[A-Z]*/.exec(name)![0].length;
  if (capitals <= 1) return name.charAt(0).toLowerCase() + name.slice(1);
  // The last capital of a run starts the next word when a lower-case letter follows it.
  const lowered = /[a-z]/.test(name.charAt(capitals)) ? capitals - 1 : capitals;
  return name.slice(0, lowered).toLowerCase() + name.slice(lowered);
}

/** `orderCreated` → `OrderCreated`. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The names every emitter derives from one aggregate. */
export interface AggregateNames {
  /** `Order` */
  readonly type: string;
  /** `order` (folder under output, user-owned file stem) */
  readonly kebab: string;
  /** `order` */
  readonly camel: string;
  readonly baseClass: string;
  readonly stateInterface: string;
  /** `OrderEvents`: the current payload of every event, by type. */
  readonly eventMap: string;
  /** `OrderEvent`: the union of `{ type, data }` events. */
  readonly eventUnion: string;
  readonly initialState: string;
  /** `orderAggregate`: the aggregate's definition in its registry file. */
  readonly definition: string;
  /** `OrderPublicEvents`: the current payload of every public event, by type (bus.ts). */
  readonly publicEventMap: string;
  /** `OrderSubjects`: the subject of every public event after the publisher's prefix (bus.ts). */
  readonly subjects: string;
  /** `consumeOrderEvents`: the typed consumer of the public events (bus.ts). */
  readonly consumer: string;
}

export function aggregateNames(type: string): AggregateNames {
  return {
    type,
    kebab: kebabCase(type),
    camel: camelCase(type),
    baseClass: `${type}Base`,
    stateInterface: `${type}State`,
    eventMap: `${type}Events`,
    eventUnion: `${type}Event`,
    initialState: `${camelCase(type)}InitialState`,
    definition: `${camelCase(type)}Aggregate`,
    publicEventMap: `${type}PublicEvents`,
    subjects: `${type}Subjects`,
    consumer: `consume${type}Events`,
  };
}

/** The names derived from one event type. */
export interface EventNames {
  readonly type: string;
  /** Interface of the current payload. */
  readonly payload: string;
  /** The payload of a version: `OrderCreatedV1`, and the plain name for the current one. */
  readonly payloadOfVersion: (version: number) => string;
  readonly handler: string;
  readonly upcastStep: (fromVersion: number) => string;
}

export function eventNames(type: string, currentVersion = 1): EventNames {
  return {
    type,
    payload: type,
    payloadOfVersion: (version) => (version === currentVersion ? type : `${type}V${version}`),
    handler: `on${type}`,
    upcastStep: (fromVersion) => `upcast${type}V${fromVersion}ToV${fromVersion + 1}`,
  };
}

export interface ReadModelNames {
  readonly name: string;
  readonly row: string;
  readonly definition: string;
  readonly customMapper: (event: string) => string;
}

export function readModelNames(name: string): ReadModelNames {
  return {
    name,
    row: `${name}Row`,
    definition: `${camelCase(name)}ReadModel`,
    customMapper: (event) => `map${name}On${event}`,
  };
}

/** `OrderItem` → `orderItemCheck`: the payload check of a value type in a registry file. */
export function checkName(typeName: string): string {
  return `${camelCase(typeName)}Check`;
}

/** A JavaScript string literal with single quotes (prettier keeps the quote style we pick). */
export function stringLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** Object keys: bare when an identifier, quoted otherwise (map keys, enum values). */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : stringLiteral(name);
}
