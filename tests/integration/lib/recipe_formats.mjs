// The two tiny readers tests/integration/recipes.test.mjs needs for the deploy recipes: a YAML subset (block
// mappings and sequences by indentation, plain, quoted and JSON flow scalars, comments) and a TOML subset
// (tables, arrays of tables, dotted headers, strings, numbers, booleans, JSON-compatible arrays). Anything
// outside the subset throws with the line, so a recipe edited beyond it fails loudly instead of being misread.

function stripComment(line) {
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === '\\' && quote === '"') i++; else if (c === quote) quote = null; }
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function scalar(text, where) {
  const t = text.trim();
  if (t.startsWith('"') || t.startsWith('[') || t.startsWith('{')) {
    try { return JSON.parse(t); } catch { throw new Error(`${where}: unsupported value ${t}`); }
  }
  if (t.startsWith("'")) { if (!t.endsWith("'")) throw new Error(`${where}: unterminated ${t}`); return t.slice(1, -1).replace(/''/g, "'"); }
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === '' || t === '~' || t === 'null') return null;
  return t;
}

export function parseYaml(text) {
  const lines = [];
  text.split('\n').forEach((raw, i) => {
    const s = stripComment(raw).replace(/\s+$/, '');
    if (s.trim() === '' || s.trim() === '---') return;
    if (/\t/.test(s.match(/^\s*/)[0])) throw new Error(`YAML line ${i + 1}: tab indentation`);
    lines.push({ indent: s.match(/^ */)[0].length, body: s.trim(), n: i + 1 });
  });
  let pos = 0;
  function block(indent) {
    const first = lines[pos];
    if (first.body.startsWith('- ') || first.body === '-') {
      const seq = [];
      while (pos < lines.length && lines[pos].indent === indent && lines[pos].body.startsWith('-')) {
        const item = lines[pos].body.replace(/^-\s*/, '');
        if (/^[\w.-]+:(\s|$)/.test(item)) {  // "- key: value" opens a mapping whose other keys sit at indent + 2
          lines[pos] = { ...lines[pos], indent: indent + 2, body: item };
          seq.push(block(indent + 2));
        } else { seq.push(scalar(item, `YAML line ${lines[pos].n}`)); pos++; }
      }
      return seq;
    }
    const map = {};
    while (pos < lines.length && lines[pos].indent === indent) {
      const { body, n } = lines[pos];
      const m = body.match(/^("[^"]*"|[\w./-]+):(?:\s+(.*))?$/);
      if (!m) throw new Error(`YAML line ${n}: unsupported syntax: ${body}`);
      const key = m[1].replace(/^"|"$/g, '');
      pos++;
      if (m[2] !== undefined && m[2] !== '') map[key] = scalar(m[2], `YAML line ${n}`);
      else if (pos < lines.length && lines[pos].indent > indent) map[key] = block(lines[pos].indent);
      else map[key] = null;
    }
    if (pos < lines.length && lines[pos].indent > indent) throw new Error(`YAML line ${lines[pos].n}: bad indentation`);
    return map;
  }
  const doc = lines.length ? block(lines[0].indent) : null;
  if (pos < lines.length) throw new Error(`YAML line ${lines[pos].n}: bad indentation`);
  return doc;
}

export function parseToml(text) {
  const root = {};
  let table = root;
  const walk = (keys, n) => {
    let t = root;
    for (const k of keys) {
      if (t[k] === undefined) t[k] = {};
      t = Array.isArray(t[k]) ? t[k][t[k].length - 1] : t[k];
      if (typeof t !== 'object' || t === null) throw new Error(`TOML line ${n}: ${keys.join('.')} is not a table`);
    }
    return t;
  };
  text.split('\n').forEach((raw, i) => {
    const s = stripComment(raw).trim();
    const n = i + 1;
    if (!s) return;
    let m;
    if ((m = s.match(/^\[\[([\w.-]+)\]\]$/))) {
      const keys = m[1].split('.');
      const parent = walk(keys.slice(0, -1), n);
      const last = keys[keys.length - 1];
      if (parent[last] === undefined) parent[last] = [];
      if (!Array.isArray(parent[last])) throw new Error(`TOML line ${n}: ${m[1]} is not an array of tables`);
      parent[last].push({});
      table = parent[last][parent[last].length - 1];
    } else if ((m = s.match(/^\[([\w.-]+)\]$/))) {
      table = walk(m[1].split('.'), n);
    } else if ((m = s.match(/^([\w-]+)\s*=\s*(.+)$/))) {
      if (m[1] in table) throw new Error(`TOML line ${n}: ${m[1]} defined twice`);
      const v = scalar(m[2], `TOML line ${n}`);
      if (v === null || (typeof v === 'string' && !/^["[]/.test(m[2].trim()) && typeof v !== 'boolean')) {
        throw new Error(`TOML line ${n}: unsupported value ${m[2]}`);
      }
      table[m[1]] = v;
    } else throw new Error(`TOML line ${n}: unsupported syntax: ${s}`);
  });
  return root;
}
