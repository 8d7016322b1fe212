// A small evaluator for the subset of Go that gitleaks' rule generators use (string literals, `+`,
// []string / map literals, append, fmt.Sprintf, the utils.* builders, secrets.NewSecret), so their
// published true/false positives can be read without a Go toolchain. Used by build-peers.mjs only.

/** Go tokens with line breaks kept, for statement ends. */
export function tokenize(src) {
  const toks = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      toks.push({ t: 'nl' });
      i++;
    } else if (/\s/.test(c)) i++;
    else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (src.startsWith('/*', i)) {
      const e = src.indexOf('*/', i + 2);
      for (let k = i; k < e; k++) if (src[k] === '\n') toks.push({ t: 'nl' });
      i = e + 2;
    } else if (c === '`') {
      const e = src.indexOf('`', i + 1);
      toks.push({ t: 'str', v: src.slice(i + 1, e) });
      for (let k = i; k < e; k++) if (src[k] === '\n') toks.push({ t: 'nl' });
      i = e + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      toks.push({ t: 'str', v: unquote(src.slice(i + 1, j)) });
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (src[j] !== "'") j += src[j] === '\\' ? 2 : 1;
      toks.push({ t: 'num', v: unquote(src.slice(i + 1, j)).charCodeAt(0) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      toks.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9.eE_x]/.test(src[j])) j++;
      toks.push({ t: 'num', v: Number(src.slice(i, j).replace(/_/g, '')) });
      i = j;
    } else {
      const three = src.slice(i, i + 3);
      const two = src.slice(i, i + 2);
      const op = three === '...' ? three : [':=', '==', '!=', '&&', '||', '+=', '<-'].includes(two) ? two : c;
      toks.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  return toks;
}

function unquote(s) {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, e) => {
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0' }[e] ?? e;
  });
}

export class Unsupported extends Error {}

// Values: a shape is an array of parts (string | { re }) where { re } is a NewSecret placeholder.
const lit = (s) => [s];
export const isShape = (v) => Array.isArray(v);
function asString(v) {
  if (!isShape(v) || v.some((p) => typeof p !== 'string')) throw new Unsupported('expected a plain string');
  return v.join('');
}
function concat(a, b) {
  if (typeof a === 'number' || typeof b === 'number') throw new Unsupported('numeric +');
  return [...a, ...b];
}
function sprintf(fmt, args) {
  const out = [];
  let k = 0;
  const parts = asString(fmt).split(/(%[sdv%])/);
  for (const p of parts) {
    if (p === '%%') out.push('%');
    else if (/^%[sdv]$/.test(p)) {
      const a = args[k++];
      out.push(...(isShape(a) ? a : [String(a)]));
    } else if (p) out.push(p);
  }
  return out;
}

// gitleaks' regex builders (utils/generate.go), restated so the rules' patterns can be rebuilt.
const GL = {
  identifierCaseInsensitivePrefix: '[\\w.-]{0,50}?(?i:',
  identifierCaseInsensitiveSuffix: ')',
  identifierPrefix: '[\\w.-]{0,50}?(?:',
  identifierSuffix: `)(?:[ \\t\\w.-]{0,20})[\\s'"]{0,3}`,
  operator: '(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)',
  secretPrefixUnique: '\\b(',
  secretPrefix: `[\\x60'"\\s=]{0,5}(`,
  secretSuffix: `)(?:[\\x60'"\\s;]|\\\\[nr]|$)`,
};
function semiGeneric(ids, secretRe, ci) {
  const idpart = (pre) => pre + ids.join('|') + GL.identifierSuffix;
  let s = ci ? '(?i)' + idpart(GL.identifierPrefix) : GL.identifierCaseInsensitivePrefix + idpart(GL.identifierPrefix) + GL.identifierCaseInsensitiveSuffix;
  return s + GL.operator + GL.secretPrefix + secretRe + GL.secretSuffix;
}
const SAMPLES = {
  'ini - quoted1': '{i}Token="{s}"',
  'ini - quoted2': '{i}Token = "{s}"',
  'ini - unquoted1': '{i}Token={s}',
  'ini - unquoted2': '{i}Token = {s}',
  'json - string': '{\n    "{i}_token": "{s}"\n}',
  'json - escaped newline in string': '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
  'xml - element multiline': '<{i}Token>\n    {s}\n</{i}Token>',
  'yaml - singleline - unquoted': '{i}_token: {s}',
  'yaml - singleline - single quote': "{i}_token: '{s}'",
  'yaml - singleline - double quote': '{i}_token: "{s}"',
  'C#': 'string {i}Token = "{s}";',
  'go - normal': 'var {i}Token string = "{s}"',
  'go - short': '{i}Token := "{s}"',
  'go - backticks': '{i}Token := `{s}`',
  java: 'String {i}Token = "{s}";',
  'kotlin - notype': 'var {i}Token = "{s}"',
  'php - string concat': '${i}Token .= "{s}"',
  'python - single quote': "{i}Token = '{s}'",
  'python - double quote': '{i}Token = "{s}"',
  'misc - comma operator': 'System.setProperty("{I}_TOKEN", "{s}")',
  logstash: '  "{i}Token" => "{s}"',
  'make - recursive assignment': '{i}_TOKEN = "{s}"',
  'make - simple assignment': '{i}_TOKEN := "{s}"',
  'make - shell assignment': '{i}_TOKEN ::= "{s}"',
  'make - evaluated shell assignment': '{i}_TOKEN :::= "{s}"',
  'make - conditional assignment': '{i}_TOKEN ?= "{s}"',
};
/** Each sample layout; the secret's parts carry `secret: true` so its place is known without a regex. */
function sampleSecrets(id, secret) {
  const ident = asString(id);
  return Object.values(SAMPLES).map((tpl) => {
    const out = [];
    for (const piece of tpl.split(/(\{[iIs]\})/)) {
      if (piece === '{i}') out.push(ident);
      else if (piece === '{I}') out.push(ident.toUpperCase());
      else if (piece === '{s}') out.push(...secret.map((p) => (typeof p === 'string' ? { l: p, secret: true } : { ...p, secret: true })));
      else if (piece) out.push(piece);
    }
    return out;
  });
}

const CLASSES = {
  Numeric: (n) => `[0-9]{${n}}`,
  Hex: (n) => `[a-f0-9]{${n}}`,
  AlphaNumeric: (n) => `[a-z0-9]{${n}}`,
  AlphaNumericExtendedShort: (n) => `[a-z0-9_-]{${n}}`,
  AlphaNumericExtended: (n) => `[a-z0-9=_\\-]{${n}}`,
  AlphaNumericExtendedLong: (n) => `[a-z0-9\\/=_\\+\\-]{${n}}`,
};

export class Evaluator {
  constructor(toks) {
    this.toks = toks;
    this.i = 0;
    this.globals = new Map();
    this.rules = [];
    this.skipped = [];
  }
  peek(k = 0) {
    let j = this.i;
    let n = k;
    for (;;) {
      const t = this.toks[j];
      if (!t) return undefined;
      if (t.t !== 'nl' || this.nlSignificant) {
        if (n === 0) return t;
        n--;
      }
      j++;
    }
  }
  next() {
    for (;;) {
      const t = this.toks[this.i++];
      if (!t || t.t !== 'nl') return t;
    }
  }
  is(v, k = 0) {
    const t = this.peek(k);
    return t && (t.t === 'op' || t.t === 'id') && t.v === v;
  }
  expect(v) {
    const t = this.next();
    if (!t || t.v !== v) throw new Unsupported(`expected ${v}, got ${t?.v}`);
    return t;
  }
  /** Skips tokens to the end of the current statement (balanced brackets, then a line break). */
  skipStatement() {
    let depth = 0;
    while (this.i < this.toks.length) {
      const t = this.toks[this.i];
      if (t.t === 'nl' && depth === 0) return;
      if (t.t === 'op' && '([{'.includes(t.v)) depth++;
      if (t.t === 'op' && ')]}'.includes(t.v)) {
        if (depth === 0) return;
        depth--;
      }
      this.i++;
    }
  }
  skipBlock() {
    this.expect('{');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.t === 'op' && t.v === '{') depth++;
      if (t.t === 'op' && t.v === '}') depth--;
    }
  }

  run(file) {
    while (this.peek()) {
      if (this.is('func')) this.func(file);
      else if (this.is('var')) {
        this.next();
        if (this.is('(')) {
          this.next();
          while (!this.is(')')) this.varSpec(this.globals);
          this.next();
        } else this.varSpec(this.globals);
      } else {
        this.next();
      }
    }
  }
  varSpec(scope) {
    const name = this.next().v;
    const start = this.i;
    try {
      while (!this.is('=')) this.type();
      this.next();
      scope.set(name, this.expr(scope));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      this.i = start;
      this.skipStatement();
    }
  }
  type() {
    const t = this.next();
    if (t.v === '[') {
      this.expect(']');
      this.type();
    } else if (t.v === '*') this.type();
    else if (t.v === 'map') {
      this.expect('[');
      this.type();
      this.expect(']');
      this.type();
    } else if (this.is('.')) {
      this.next();
      this.next();
    }
  }
  func(file) {
    this.expect('func');
    const name = this.next().v;
    while (!this.is('{')) this.next();
    const scope = new Map(this.globals);
    const ctx = { file, func: name, rule: undefined };
    this.expect('{');
    while (!this.is('}')) this.statement(scope, ctx);
    this.expect('}');
  }
  statement(scope, ctx) {
    const start = this.i;
    try {
      const t = this.peek();
      if (t.v === 'return') {
        this.next();
        const v = this.expr(scope);
        if (v && v.validate) this.rules.push({ ...v.validate, file: ctx.file, func: ctx.func });
        return;
      }
      if (t.v === 'var') {
        this.next();
        this.varSpec(scope);
        return;
      }
      if (t.v === 'if' || t.v === 'for') throw new Unsupported(t.v);
      if (t.t === 'id' && (this.is(':=', 1) || this.is('=', 1))) {
        const name = this.next().v;
        this.next();
        scope.set(name, this.expr(scope));
        return;
      }
      if (t.t === 'id' && this.is('.', 1) && this.is('=', 3)) {
        // r.Field = value
        const obj = scope.get(this.next().v);
        this.next();
        const field = this.next().v;
        this.next();
        const v = this.expr(scope);
        if (obj && obj.obj) obj.obj[field] = v;
        return;
      }
      this.expr(scope);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      this.skipped.push(`${ctx.file}:${ctx.func}: ${e.message}`);
      this.i = start;
      this.skipStatement();
      if (this.i === start) this.next();
    }
  }
  expr(scope) {
    let v = this.unary(scope);
    while (this.is('+')) {
      this.next();
      v = concat(v, this.unary(scope));
    }
    return v;
  }
  unary(scope) {
    if (this.is('&')) this.next();
    return this.postfix(this.primary(scope), scope);
  }
  args(scope) {
    this.expect('(');
    const out = [];
    while (!this.is(')')) {
      const v = this.expr(scope);
      if (this.is('...')) {
        this.next();
        out.push(...(v.list ?? []));
      } else out.push(v);
      if (this.is(',')) this.next();
    }
    this.expect(')');
    return out;
  }
  composite(scope, kind) {
    this.expect('{');
    const list = [];
    const obj = {};
    while (!this.is('}')) {
      if (kind === 'struct') {
        const field = this.next().v;
        this.expect(':');
        const at = this.i;
        try {
          obj[field] = this.expr(scope);
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
          this.i = at;
          this.skipStatement();
        }
      } else {
        let v = this.is('{') ? this.composite(scope, 'struct') : this.expr(scope);
        if (this.is(':')) {
          this.next();
          v = this.expr(scope); // map literal: keep values, keys are file names
        }
        list.push(v);
      }
      if (this.is(',')) this.next();
    }
    this.expect('}');
    return kind === 'struct' ? { obj } : { list };
  }
  primary(scope) {
    const t = this.peek();
    if (t.t === 'str') {
      this.next();
      return lit(t.v);
    }
    if (t.t === 'num') {
      this.next();
      return t.v;
    }
    if (t.v === '(') {
      this.next();
      const v = this.expr(scope);
      this.expect(')');
      return v;
    }
    if (t.v === '[') {
      this.type();
      return this.composite(scope, 'list');
    }
    if (t.v === 'map') {
      this.type();
      return this.composite(scope, 'list');
    }
    if (t.t !== 'id') throw new Unsupported(`token ${t.v}`);
    this.next();
    if (t.v === "true" || t.v === "false") return t.v === "true";
    if (t.v === "nil") return { list: [] };
    if (t.v === 'append') {
      const a = this.args(scope);
      return { list: [...(a[0].list ?? []), ...a.slice(1)] };
    }
    if (this.is('.')) {
      this.next();
      const name = `${t.v}.${this.next().v}`;
      if (this.is('{')) return this.composite(scope, name === 'config.Rule' ? 'struct' : 'list');
      if (this.is('(')) return this.call(name, this.args(scope));
      throw new Unsupported(`selector ${name}`);
    }
    if (!scope.has(t.v)) throw new Unsupported(`unknown name ${t.v}`);
    return scope.get(t.v);
  }
  postfix(v, scope) {
    if (this.is('[') && v && v.list) {
      this.next();
      const k = this.expr(scope);
      this.expect(']');
      return v.list[k];
    }
    return v;
  }
  call(name, a) {
    const m = /^utils\.(\w+)$/.exec(name);
    if (m && CLASSES[m[1]]) return lit(CLASSES[m[1]](asString(a[0])));
    switch (name) {
      case 'utils.Hex8_4_4_4_12':
        return lit('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}');
      case 'regexp.MustCompile':
        return a[0];
      case 'regexp.QuoteMeta':
        return lit(asString(a[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      case 'utils.GenerateSemiGenericRegex':
        return lit(semiGeneric(a[0].list.map(asString), asString(a[1]), a[2] === true));
      case 'utils.GenerateUniqueTokenRegex':
        return lit((a[1] === true ? '(?i)' : '') + GL.secretPrefixUnique + asString(a[0]) + GL.secretSuffix);
      case 'utils.MergeRegexps':
        return lit(a.map(asString).join('|'));
      case 'secrets.NewSecret':
        return [{ re: asString(a[0]) }];
      case 'fmt.Sprintf':
        return sprintf(a[0], a.slice(1));
      case 'strings.ToUpper':
        return lit(asString(a[0]).toUpperCase());
      case 'strings.Repeat':
        return lit(asString(a[0]).repeat(a[1]));
      case 'utils.GenerateSampleSecret':
        return [asString(a[0]), '_api_token = "', ...a[1].map((p) => (typeof p === 'string' ? { l: p, secret: true } : { ...p, secret: true })), '"'];
      case 'utils.GenerateSampleSecrets':
        return { list: sampleSecrets(a[0], a[1]) };
      case 'utils.Validate':
      case 'utils.ValidateWithPaths': {
        const rule = a[0].obj;
        return { validate: { id: asString(rule.RuleID), regex: rule.Regex ? asString(rule.Regex) : undefined, secretGroup: rule.SecretGroup, tps: a[1]?.list ?? [], fps: a[2]?.list ?? [] } };
      }
      default:
        throw new Unsupported(`call ${name}`);
    }
  }
}
