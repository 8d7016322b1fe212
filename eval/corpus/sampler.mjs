// Turns a simple generator regex (gitleaks' secrets.NewSecret arguments) into shape parts: literal
// text and character-class runs { a: alphabet, n: length }. Alternations take their first branch,
// open-ended repeats their minimum plus 8. Used by build-peers.mjs only.

const RANGE = (a, b) => Array.from({ length: b.charCodeAt(0) - a.charCodeAt(0) + 1 }, (_, k) => String.fromCharCode(a.charCodeAt(0) + k)).join('');
const W = RANGE('a', 'z') + RANGE('A', 'Z') + RANGE('0', '9') + '_';
const D = RANGE('0', '9');
const ESC = { w: W, d: D, s: ' ' };

function classSet(src, i) {
  // src[i] === '['
  let j = i + 1;
  let neg = false;
  if (src[j] === '^') {
    neg = true;
    j++;
  }
  let set = '';
  let first = true;
  while (src[j] !== ']' || first) {
    first = false;
    let c = src[j];
    if (c === '\\') {
      const e = src[j + 1];
      if (ESC[e]) {
        set += ESC[e];
        j += 2;
        continue;
      }
      c = e;
      j++;
    }
    if (src[j + 1] === '-' && src[j + 2] !== ']' && src[j + 2] !== undefined) {
      let hi = src[j + 2];
      let step = 3;
      if (hi === '\\') {
        hi = src[j + 3];
        step = 4;
      }
      set += hi >= c ? RANGE(c, hi) : c + '-' + hi;
      j += step;
    } else {
      set += c;
      j++;
    }
  }
  if (neg) throw new Error('negated class');
  return { set: [...new Set(set)].sort().join(''), end: j + 1 };
}

function quant(src, i) {
  const c = src[i];
  if (c === '+') return { min: 1, max: 9, end: i + 1 };
  if (c === '*') return { min: 0, max: 8, end: i + 1 };
  if (c === '?') return { min: 0, max: 1, end: i + 1 };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (m) {
      const min = Number(m[1]);
      const max = m[2] ? (m[3] ? Number(m[3]) : min + 8) : min;
      let end = i + m[0].length;
      if (src[end] === '?') end++;
      return { min, max, end };
    }
  }
  return { min: 1, max: 1, end: i };
}

/** Parses src from i to a closing ')' or the end; returns parts of the first alternative. */
function seq(src, i, rand) {
  const parts = [];
  while (i < src.length && src[i] !== ')') {
    if (src[i] === '|') {
      // skip the other alternatives
      let depth = 0;
      while (i < src.length && !(depth === 0 && src[i] === ')')) {
        if (src[i] === '\\') i++;
        else if (src[i] === '(') depth++;
        else if (src[i] === ')') depth--;
        i++;
      }
      break;
    }
    let atom;
    if (src[i] === '(') {
      let j = i + 1;
      if (src[j] === '?') {
        while (src[j] !== ':' && src[j] !== ')') j++;
        if (src[j] === ')') {
          i = j + 1; // an inline flag group: no text
          continue;
        }
        j++;
      }
      const inner = seq(src, j, rand);
      atom = { group: inner.parts };
      i = inner.end + 1;
    } else if (src[i] === '[') {
      const c = classSet(src, i);
      atom = { set: c.set };
      i = c.end;
    } else if (src[i] === '\\') {
      const e = src[i + 1];
      if (e === 'b' || e === 'B') {
        i += 2;
        continue;
      }
      atom = ESC[e] ? { set: ESC[e] } : { lit: e };
      i += 2;
    } else if (src[i] === '^' || src[i] === '$') {
      i++;
      continue;
    } else if (src[i] === '.') {
      atom = { set: W };
      i++;
    } else {
      atom = { lit: src[i] };
      i++;
    }
    const q = quant(src, i);
    i = q.end;
    const n = q.min === q.max ? q.min : q.min + Math.floor(rand() * (q.max - q.min + 1));
    if (atom.set) {
      if (n > 0) parts.push({ a: atom.set, n });
    } else if (atom.lit !== undefined) parts.push(atom.lit.repeat(n));
    else for (let k = 0; k < n; k++) parts.push(...atom.group);
  }
  return { parts, end: i };
}

/** Shape parts for a generator regex, adjacent literals and same-alphabet runs merged. */
export function sampleParts(re, rand) {
  const { parts } = seq(re, 0, rand);
  const out = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (typeof p !== 'string' && last && typeof last !== 'string' && last.a === p.a) last.n += p.n;
    else if (typeof p === 'string') out.push(p);
    else out.push({ ...p });
  }
  return out;
}
