// The parts of the published SARIF 2.1.0 JSON schema (oasis-tcs/sarif-spec, Schemata/sarif-schema-2.1.0.json,
// errata01) that dumpscrub emits, transcribed with their required properties, types, enums and bounds,
// plus a small draft-04 validator for exactly the keywords used here.

type Schema = Record<string, unknown>;

const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const strMap = { type: 'object', additionalProperties: { type: 'string' } };
const LEVEL = { enum: ['none', 'note', 'warning', 'error'], type: 'string' };

export const SARIF_SUBSET: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { enum: ['2.1.0'], type: 'string' },
    runs: { type: ['array', 'null'], minItems: 0, items: ref('run') },
    properties: ref('propertyBag'),
  },
  required: ['version', 'runs'],
  definitions: {
    propertyBag: { type: 'object', additionalProperties: true, properties: { tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } } },
    message: {
      type: 'object',
      additionalProperties: false,
      properties: {
        text: { type: 'string' },
        markdown: { type: 'string' },
        id: { type: 'string' },
        arguments: { type: 'array', items: { type: 'string' } },
        properties: ref('propertyBag'),
      },
      anyOf: [{ required: ['text'] }, { required: ['id'] }],
    },
    multiformatMessageString: {
      type: 'object',
      additionalProperties: false,
      properties: { text: { type: 'string' }, markdown: { type: 'string' }, properties: ref('propertyBag') },
      required: ['text'],
    },
    run: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tool: ref('tool'),
        invocations: { type: 'array', minItems: 0, items: ref('invocation') },
        artifacts: { type: 'array', minItems: 0, uniqueItems: true, items: ref('artifact') },
        results: { type: 'array', minItems: 0, items: ref('result') },
        columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'], type: 'string' },
        properties: ref('propertyBag'),
      },
      required: ['tool'],
    },
    tool: {
      type: 'object',
      additionalProperties: false,
      properties: { driver: ref('toolComponent'), extensions: { type: 'array', uniqueItems: true, items: ref('toolComponent') }, properties: ref('propertyBag') },
      required: ['driver'],
    },
    toolComponent: {
      type: 'object',
      additionalProperties: false,
      properties: {
        guid: { type: 'string', pattern: GUID },
        name: { type: 'string' },
        organization: { type: 'string' },
        fullName: { type: 'string' },
        version: { type: 'string' },
        semanticVersion: { type: 'string' },
        informationUri: { type: 'string', format: 'uri' },
        downloadUri: { type: 'string', format: 'uri' },
        shortDescription: ref('multiformatMessageString'),
        fullDescription: ref('multiformatMessageString'),
        rules: { type: 'array', minItems: 0, uniqueItems: true, items: ref('reportingDescriptor') },
        notifications: { type: 'array', minItems: 0, uniqueItems: true, items: ref('reportingDescriptor') },
        properties: ref('propertyBag'),
      },
      required: ['name'],
    },
    reportingDescriptor: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        guid: { type: 'string', pattern: GUID },
        name: { type: 'string' },
        shortDescription: ref('multiformatMessageString'),
        fullDescription: ref('multiformatMessageString'),
        help: ref('multiformatMessageString'),
        helpUri: { type: 'string', format: 'uri' },
        defaultConfiguration: ref('reportingConfiguration'),
        properties: ref('propertyBag'),
      },
      required: ['id'],
    },
    reportingConfiguration: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        level: LEVEL,
        rank: { type: 'number', minimum: -1, maximum: 100 },
        parameters: ref('propertyBag'),
        properties: ref('propertyBag'),
      },
    },
    invocation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        commandLine: { type: 'string' },
        arguments: { type: 'array', items: { type: 'string' } },
        startTimeUtc: { type: 'string', format: 'date-time' },
        endTimeUtc: { type: 'string', format: 'date-time' },
        exitCode: { type: 'integer' },
        exitCodeDescription: { type: 'string' },
        toolExecutionNotifications: { type: 'array', minItems: 0, items: ref('notification') },
        toolConfigurationNotifications: { type: 'array', minItems: 0, items: ref('notification') },
        executionSuccessful: { type: 'boolean' },
        properties: ref('propertyBag'),
      },
      required: ['executionSuccessful'],
    },
    notification: {
      type: 'object',
      additionalProperties: false,
      properties: {
        locations: { type: 'array', minItems: 0, uniqueItems: true, items: ref('location') },
        message: ref('message'),
        level: LEVEL,
        timeUtc: { type: 'string', format: 'date-time' },
        properties: ref('propertyBag'),
      },
      required: ['message'],
    },
    artifact: {
      type: 'object',
      additionalProperties: false,
      properties: {
        description: ref('message'),
        location: ref('artifactLocation'),
        length: { type: 'integer', minimum: -1 },
        roles: {
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', enum: ['analysisTarget', 'attachment', 'resultFile', 'modified', 'memoryContents', 'debugOutputFile'] },
        },
        mimeType: { type: 'string', pattern: '[^/]+/.+' },
        hashes: strMap,
        properties: ref('propertyBag'),
      },
    },
    artifactLocation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        uri: { type: 'string', format: 'uri-reference' },
        uriBaseId: { type: 'string' },
        index: { type: 'integer', minimum: -1 },
        description: ref('message'),
        properties: ref('propertyBag'),
      },
    },
    location: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'integer', minimum: -1 },
        physicalLocation: ref('physicalLocation'),
        message: ref('message'),
        properties: ref('propertyBag'),
      },
    },
    physicalLocation: {
      type: 'object',
      additionalProperties: false,
      properties: {
        artifactLocation: ref('artifactLocation'),
        region: ref('region'),
        contextRegion: ref('region'),
        properties: ref('propertyBag'),
      },
      anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
    },
    region: {
      type: 'object',
      additionalProperties: false,
      properties: {
        startLine: { type: 'integer', minimum: 1 },
        charOffset: { type: 'integer', minimum: -1 },
        charLength: { type: 'integer', minimum: 0 },
        byteOffset: { type: 'integer', minimum: -1 },
        byteLength: { type: 'integer', minimum: 0 },
        message: ref('message'),
        properties: ref('propertyBag'),
      },
      anyOf: [{ required: ['startLine'] }, { required: ['charOffset'] }, { required: ['byteOffset'] }],
    },
    result: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ruleId: { type: 'string' },
        ruleIndex: { type: 'integer', minimum: -1 },
        kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'], type: 'string' },
        level: LEVEL,
        message: ref('message'),
        locations: { type: 'array', minItems: 0, items: ref('location') },
        guid: { type: 'string', pattern: GUID },
        partialFingerprints: strMap,
        fingerprints: strMap,
        rank: { type: 'number', minimum: -1, maximum: 100 },
        properties: ref('propertyBag'),
      },
      required: ['message'],
    },
  },
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function checkFormat(v: string, format: string): boolean {
  if (format === 'uri') return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(v) && URL.canParse(v);
  if (format === 'uri-reference') return !/[\s<>"{}|\\^`]/.test(v) && URL.canParse(v, 'file:///base/');
  if (format === 'date-time') return !Number.isNaN(Date.parse(v)) && /T/.test(v);
  return true;
}

/** Validates `value` against the subset schema; returns JSON-pointer-ish error strings (empty = valid). */
export function validateSarif(value: unknown): string[] {
  const root = SARIF_SUBSET;
  const defs = root.definitions as Record<string, Schema>;
  const errors: string[] = [];
  const visit = (v: unknown, s: Schema, path: string): void => {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/definitions/', '');
      const target = defs[name];
      if (!target) throw new Error(`subset schema lacks ${name}`);
      visit(v, target, path);
      return;
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeMatches(v, t))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (Array.isArray(s.enum) && !s.enum.includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${path}: below minimum ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${path}: above maximum ${s.maximum}`);
    }
    if (typeof v === 'string') {
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(v)) errors.push(`${path}: does not match ${s.pattern}`);
      if (typeof s.format === 'string' && !checkFormat(v, s.format)) errors.push(`${path}: not a valid ${s.format}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`);
      if (s.uniqueItems === true) {
        const seen = new Set(v.map((x) => JSON.stringify(x)));
        if (seen.size !== v.length) errors.push(`${path}: items are not unique`);
      }
      if (s.items) v.forEach((x, i) => visit(x, s.items as Schema, `${path}/${i}`));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const req of (s.required as string[] | undefined) ?? []) if (!(req in obj)) errors.push(`${path}: missing required ${req}`);
      if (Array.isArray(s.anyOf)) {
        const ok = (s.anyOf as Schema[]).some((alt) => ((alt.required as string[]) ?? []).every((k) => k in obj));
        if (!ok) errors.push(`${path}: matches none of anyOf`);
      }
      for (const [k, x] of Object.entries(obj)) {
        if (props[k]) visit(x, props[k], `${path}/${k}`);
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
        else if (typeof s.additionalProperties === 'object') visit(x, s.additionalProperties as Schema, `${path}/${k}`);
      }
    }
  };
  visit(value, root, '');
  return errors;
}
