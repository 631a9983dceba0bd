/**
 * A small scanner for BSL source, enough to find what the examples ask of the add-in:
 * `Var.Name(args)` calls and `Var.Name` property reads/writes on variables that hold add-in objects,
 * the type names given to `Новый("AddIn.<Symbolic>.<Class>")` and the symbolic names given to
 * `ПодключитьВнешнююКомпоненту`. Not a BSL parser: it strips comments and string literals and
 * matches patterns, which is all the examples need.
 */

export type AddInClass = 'Client' | 'Server';

export interface MemberUse {
  line: number;
  variable: string;
  cls: AddInClass;
  name: string;
  kind: 'method' | 'property';
  /** method: the number of arguments written (`M()` = 0, `M(1, , 3)` = 3) */
  args?: number;
  /** the value is used (an expression), not a statement of its own */
  asExpression: boolean;
  /** property: assigned to (`Var.Name = …;` as a statement) */
  write?: boolean;
}

export interface NewUse {
  line: number;
  variable: string;
  typeName: string;
}

export interface AttachUse {
  line: number;
  symbolicName: string;
}

export interface BslScan {
  members: MemberUse[];
  creations: NewUse[];
  attachments: AttachUse[];
}

const ID = '[A-Za-zА-Яа-яЁё_][0-9A-Za-zА-Яа-яЁё_]*';
const STATEMENT_KEYWORDS = /^(Тогда|Иначе|Цикл|Попытка|Исключение|Then|Else|Do|Try|Except)$/i;
/** variables assumed to hold add-in objects when no `Новый(...)` in the file says otherwise */
const BY_NAME: ReadonlyArray<[RegExp, AddInClass]> = [
  [/^(Клиент|Client)/i, 'Client'],
  [/^(Сервер|Server)/i, 'Server'],
];

/**
 * Replaces every comment with spaces and every string literal with `"<index>"`, keeping line breaks
 * (so line numbers still hold); returns the code and the literals' values.
 */
export function stripBsl(source: string): { code: string; strings: string[] } {
  let code = '';
  const strings: string[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') {
        code += ' ';
        i++;
      }
    } else if (ch === '"') {
      let value = '';
      let newlines = '';
      i++;
      for (;;) {
        if (i >= source.length) break;
        const c = source[i] as string;
        if (c === '"') {
          if (source[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') {
          newlines += '\n';
          // a multi-line literal continues on the next line after `|`
          value += '\n';
          i++;
          while (source[i] === ' ' || source[i] === '\t') i++;
          if (source[i] === '|') i++;
          continue;
        }
        value += c;
        i++;
      }
      code += `"${strings.length}"${newlines}`;
      strings.push(value);
    } else {
      code += ch;
      i++;
    }
  }
  return { code, strings };
}

const lineAt = (code: string, index: number): number => code.slice(0, index).split('\n').length;

/** The text of the argument list starting at `open` (the index of `(`), and the index after `)`. */
function argumentList(code: string, open: number): { text: string; end: number } {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return { text: code.slice(open + 1, i), end: i + 1 };
  }
  return { text: code.slice(open + 1), end: code.length };
}

/** The top-level arguments of an argument list's text (commas inside brackets do not split). */
function splitArguments(text: string): string[] {
  const parts = [''];
  let depth = 0;
  for (const c of text) {
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    if (c === ',' && depth === 0) parts.push('');
    else parts[parts.length - 1] += c;
  }
  return parts;
}

function countArguments(text: string): number {
  return text.trim() === '' ? 0 : splitArguments(text).length;
}

/** Whether the code before `index` ends a statement (so what starts at `index` is a statement). */
function atStatementStart(code: string, index: number): boolean {
  const before = code.slice(0, index).trimEnd();
  if (before === '' || before.endsWith(';')) return true;
  const word = new RegExp(`(${ID})$`).exec(before)?.[1] ?? '';
  if (STATEMENT_KEYWORDS.test(word)) return true;
  // right after a procedure/function header or a directive line: `Процедура X(...)` / `&НаКлиенте`
  const lastLine = before.slice(before.lastIndexOf('\n') + 1).trim();
  return /^((Асинх|Async)\s+)?(Процедура|Функция|Procedure|Function)\s/i.test(lastLine) || /^[&#]/.test(lastLine);
}

export function scanBsl(source: string): BslScan {
  const { code, strings } = stripBsl(source);
  const literal = (token: string | undefined): string | undefined => {
    const m = /^"(\d+)"$/.exec(token ?? '');
    return m ? strings[Number(m[1])] : undefined;
  };

  // What each variable was assigned with Новый: an add-in class, or something else (excluded).
  const classes = new Map<string, AddInClass | null>();
  const creations: NewUse[] = [];
  const assignNew = new RegExp(`(${ID})\\s*=\\s*(?:Новый|New)\\s*(?:\\(\\s*("\\d+")\\s*[,)]|(${ID}))`, 'gi');
  for (const m of code.matchAll(assignNew)) {
    const variable = m[1] as string;
    const typeName = literal(m[2]);
    const addIn = typeName !== undefined ? /^AddIn\.[^.]+\.([^.]+)$/i.exec(typeName) : null;
    if (typeName !== undefined && addIn) {
      creations.push({ line: lineAt(code, m.index), variable, typeName });
      const cls = (addIn[1] as string).toLowerCase() === 'server' ? 'Server' : 'Client';
      classes.set(variable.toLowerCase(), cls);
    } else if (!classes.has(variable.toLowerCase())) {
      classes.set(variable.toLowerCase(), null);
    }
  }
  const classOf = (variable: string): AddInClass | undefined => {
    const known = classes.get(variable.toLowerCase());
    if (known !== undefined) return known ?? undefined;
    return BY_NAME.find(([re]) => re.test(variable))?.[1];
  };

  const attachments: AttachUse[] = [];
  // the symbolic name is the 2nd argument of AttachAddIn(Async) and the 3rd of BeginAttachingAddIn
  const attach = /(?<![0-9A-Za-zА-Яа-яЁё_.])(ПодключитьВнешнююКомпоненту(?:Асинх)?|AttachAddIn(?:Async)?|НачатьПодключениеВнешнейКомпоненты|BeginAttachingAddIn)\s*\(/gi;
  for (const m of code.matchAll(attach)) {
    const { text } = argumentList(code, m.index + m[0].length - 1);
    const position = /^(НачатьПодключениеВнешнейКомпоненты|BeginAttachingAddIn)$/i.test(m[1] as string) ? 2 : 1;
    const symbolicName = literal(splitArguments(text)[position]?.trim());
    if (symbolicName !== undefined) attachments.push({ line: lineAt(code, m.index), symbolicName });
  }

  const members: MemberUse[] = [];
  // `Var.Name` where Var is not itself a member (`А.Б.В`) nor a call result (`Ф().В`)
  const access = new RegExp(`(?<![0-9A-Za-zА-Яа-яЁё_.)\\]])(${ID})\\s*\\.\\s*(${ID})`, 'g');
  for (const m of code.matchAll(access)) {
    const variable = m[1] as string;
    const cls = classOf(variable);
    if (!cls) continue;
    const name = m[2] as string;
    const after = m.index + m[0].length;
    const rest = code.slice(after);
    const statement = atStatementStart(code, m.index);
    const line = lineAt(code, m.index);
    const open = /^\s*\(/.exec(rest);
    if (open) {
      const { text, end } = argumentList(code, after + open[0].length - 1);
      // a call is a statement when nothing but `;` (or the end of a block) follows it
      const tail = code.slice(end).trimStart();
      const alone = statement && (tail.startsWith(';') || tail === '' || /^(КонецЕсли|КонецЦикла|Иначе|End)/i.test(tail));
      members.push({ line, variable, cls, name, kind: 'method', args: countArguments(text), asExpression: !alone });
    } else {
      const write = statement && /^\s*=/.test(rest);
      members.push({ line, variable, cls, name, kind: 'property', asExpression: !write, write });
    }
  }
  return { members, creations, attachments };
}
