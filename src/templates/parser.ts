// nunjucks' parser, extended with the Jinja syntax webhook templates use and nunjucks lacks:
// Python slices (`sha[:7]`), float literals that stay floats (`1.0`), the number literals Jinja
// reads and nunjucks splits (`1e3`, `1_000`, `0x1f`),
// `is` tests with one argument without parentheses (`x is divisibleby 3`), tuple assignment
// (`{% set a, b = 1, 2 %}`) and `{% with %}` blocks.
import nunjucks from "nunjucks";
import { invalidName, NAME } from "./names.ts";

type Node = any;
const nj = nunjucks as unknown as { parser: any; lexer: any; nodes: any };
const { nodes, lexer } = nj;

export const Slice = nodes.Node.extend("Slice", { fields: ["start", "stop", "step"] });
/** `{% with a = 1, b = x %}…{% endwith %}`: names bound for the body only. */
export const With = nodes.Node.extend("With", { fields: ["targets", "values", "body"] });

const ARG_START = new Set([
  lexer.TOKEN_STRING,
  lexer.TOKEN_INT,
  lexer.TOKEN_FLOAT,
  lexer.TOKEN_BOOLEAN,
  lexer.TOKEN_NONE,
  lexer.TOKEN_SYMBOL,
  lexer.TOKEN_LEFT_BRACKET,
  lexer.TOKEN_LEFT_CURLY,
]);
const KEYWORDS = new Set(["else", "or", "and", "if", "not", "in", "is"]);

/** An int literal past JS's exact integers keeps its digits; the compiler makes it a PyInt. */
function markBigInt(node: Node, value: bigint): Node {
  if (!Number.isSafeInteger(node.value)) node.bigInt = value.toString();
  return node;
}

export class JinjaParser extends nj.parser.Parser {
  constructor(...args: unknown[]) {
    super(...args);
  }

  parsePrimary(noPostfix?: boolean): Node {
    const tok = this.peekToken();
    const number = this.parseNumberLiteral();
    if (number) return noPostfix ? number : this.parsePostfix(number);
    const node = super.parsePrimary(noPostfix);
    if (tok && (tok.type === lexer.TOKEN_FLOAT || tok.type === lexer.TOKEN_INT)) {
      let n = node;
      while (n && !(n instanceof nodes.Literal)) n = n.target ?? n.name;
      if (n && tok.type === lexer.TOKEN_FLOAT && Number.isInteger(n.value)) n.isFloat = true;
      if (n && tok.type === lexer.TOKEN_INT) markBigInt(n, BigInt(tok.value));
    }
    return node;
  }

  /**
   * Number literals nunjucks' lexer does not read whole, as Jinja reads them: exponents (`1e3`,
   * `2.5e-3`: a symbol `1e3`, or a number followed at once by a symbol `e…`, then the exponent's
   * sign and digits), underscores between digits (`1_000`, `1_000.5`) and `0b`/`0o`/`0x` integers.
   * Left to nunjucks they would be variable names, printing nothing. A peeked token leaves the
   * lexer right after it, so `nextChar` tells whether the parts touch.
   */
  private parseNumberLiteral(): Node | null {
    const first = this.peekToken();
    if (!first) return null;
    const nextChar = () => this.tokens.current() as string;
    const number = first.type === lexer.TOKEN_INT || first.type === lexer.TOKEN_FLOAT;
    if (number ? !/[eE_]/.test(nextChar()) : !(first.type === lexer.TOKEN_SYMBOL && /^\d/.test(first.value))) return null;
    this.nextToken();
    let text: string = first.value;
    const invalid = (): void => this.fail(`invalid number literal: ${text}`, first.lineno, first.colno);
    const literal = (value: number, float: boolean) => {
      const node = new nodes.Literal(first.lineno, first.colno, value);
      if (float && Number.isInteger(value)) node.isFloat = true;
      return node;
    };
    const exponentSymbol = () => {
      const e = this.nextToken();
      text += e.value;
      if (!/^[eE](\d(_?\d)*)?$/.test(e.value)) invalid();
    };
    if (!number) {
      const based = /^0([bBoOxX])_?(\w+)$/.exec(text);
      if (based) {
        const radix = { b: 2, o: 8, x: 16 }[based[1]!.toLowerCase() as "b" | "o" | "x"];
        const digits = based[2]!;
        if (/__|_$/.test(digits) || [...digits.replace(/_/g, "")].some((d) => !(parseInt(d, radix) < radix))) invalid();
        const node = literal(parseInt(digits.replace(/_/g, ""), radix), false);
        return markBigInt(node, BigInt(`0${based[1]}${digits.replace(/_/g, "")}`));
      }
      if (!/^\d(_?\d)*([eE](\d(_?\d)*)?)?$/.test(text)) invalid();
      // `1_000.5`: the lexer stopped at the underscores, before the fraction.
      if (!/[eE]/.test(text) && nextChar() === ".") {
        this.nextToken();
        if (!/\d/.test(nextChar())) invalid();
        text += "." + this.nextToken().value;
        if (/[eE]/.test(nextChar())) exponentSymbol();
      }
    } else if (nextChar() === "_") {
      // `1.000_5`: nunjucks read `1.000`, the rest of the fraction (and an exponent) is a symbol.
      const rest = this.nextToken();
      text += rest.value;
      if (!/\d$/.test(first.value) || !/^(_\d+)+([eE](\d(_?\d)*)?)?$/.test(rest.value)) invalid();
    } else {
      exponentSymbol();
    }
    if (/[eE]$/.test(text)) {
      const sign = nextChar();
      if (sign !== "-" && sign !== "+") invalid();
      this.nextToken();
      if (!/\d/.test(nextChar())) invalid();
      text += sign + this.nextToken().value;
    }
    // A fraction or an exponent makes a float in Python: 1e3 is 1000.0.
    const float = /[.eE]/.test(text);
    const node = literal(Number(text.replace(/_/g, "")), float);
    return float ? node : markBigInt(node, BigInt(text.replace(/_/g, "")));
  }

  /**
   * Tuple, list and dict literals, as nunjucks reads them but with Jinja's trailing comma
   * (`[1, 2,]`, `{"a": 1,}`, `(1,)`, which is a one-item tuple) and a closer that must match.
   */
  parseAggregate(): Node {
    const open = this.peekToken();
    const shapes: Record<string, [Node, string]> = {
      [lexer.TOKEN_LEFT_PAREN]: [nodes.Group, lexer.TOKEN_RIGHT_PAREN],
      [lexer.TOKEN_LEFT_BRACKET]: [nodes.Array, lexer.TOKEN_RIGHT_BRACKET],
      [lexer.TOKEN_LEFT_CURLY]: [nodes.Dict, lexer.TOKEN_RIGHT_CURLY],
    };
    const shape = open && shapes[open.type];
    if (!shape) return super.parseAggregate();
    this.nextToken();
    const [Kind, close] = shape;
    const node = new Kind(open.lineno, open.colno);
    const closes = () => {
      const next = this.peekToken();
      if (!next) this.fail("unexpected end of template inside brackets", open.lineno, open.colno);
      if (next.type !== close) return false;
      this.nextToken();
      return true;
    };
    while (!closes()) {
      if (node.children.length > 0) {
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail("expected ',' between items", open.lineno, open.colno);
        if (closes()) {
          if (node instanceof nodes.Group) node.isTuple = true;
          break;
        }
      }
      if (node instanceof nodes.Dict) {
        const key = this.parsePrimary();
        if (!this.skip(lexer.TOKEN_COLON)) this.fail("expected ':' after a dict key", key.lineno, key.colno);
        node.addChild(new nodes.Pair(key.lineno, key.colno, key, this.parseExpression()));
      } else {
        node.addChild(this.parseExpression());
      }
    }
    return node;
  }

  /** Set by macro and call blocks: their next signature declares parameters, where Jinja allows no trailing comma. */
  private declaring = false;

  parseMacro(): Node {
    this.declaring = true;
    return super.parseMacro();
  }

  parseCall(): Node {
    this.declaring = true;
    return super.parseCall();
  }

  /**
   * Call arguments as nunjucks reads them, with Jinja's trailing comma (`replace(",", ";",)`).
   * `noParens` is nunjucks' form for tags whose arguments run to the end of the tag.
   */
  parseSignature(tolerant?: boolean, noParens?: boolean): Node {
    const declaring = this.declaring;
    this.declaring = false;
    const first = this.peekToken();
    if (!noParens && first?.type !== lexer.TOKEN_LEFT_PAREN) {
      if (tolerant) return null;
      this.fail("expected arguments", first?.lineno, first?.colno);
    }
    if (first.type === lexer.TOKEN_LEFT_PAREN) this.nextToken();
    const args = new nodes.NodeList(first.lineno, first.colno);
    const kwargs = new nodes.KeywordArgs(first.lineno, first.colno);
    const ends = () => {
      const next = this.peekToken();
      if (!next) this.fail("unexpected end of template in arguments", first.lineno, first.colno);
      if (noParens) return next.type === lexer.TOKEN_BLOCK_END;
      if (next.type !== lexer.TOKEN_RIGHT_PAREN) return false;
      this.nextToken();
      return true;
    };
    while (!ends()) {
      if (args.children.length + kwargs.children.length > 0) {
        const at = this.peekToken();
        if (!this.skip(lexer.TOKEN_COMMA)) this.fail("expected ',' between arguments", at.lineno, at.colno);
        if (ends()) {
          if (declaring)
            this.fail(
              "expected a parameter name after ',' (a trailing comma is allowed in calls, not in parameter lists)",
              at.lineno,
              at.colno,
            );
          break;
        }
      }
      const arg = this.parseExpression();
      if (this.skipValue(lexer.TOKEN_OPERATOR, "=")) kwargs.addChild(new nodes.Pair(arg.lineno, arg.colno, arg, this.parseExpression()));
      else args.addChild(arg);
    }
    if (kwargs.children.length > 0) args.addChild(kwargs);
    return args;
  }

  /**
   * nunjucks' `set`, whose value may also be a tuple without parentheses (`{% set a, b = 1, 2 %}`);
   * the compiler unpacks a value for several names, as Jinja does.
   */
  parseSet(): Node {
    const tag = this.peekToken();
    if (!this.skipSymbol("set")) this.fail("expected set", tag.lineno, tag.colno);
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    do node.targets.push(this.parsePrimary());
    while (this.skip(lexer.TOKEN_COMMA));
    if (this.skipValue(lexer.TOKEN_OPERATOR, "=")) {
      const items = [this.parseExpression()];
      let trailingComma = false;
      while (this.skip(lexer.TOKEN_COMMA)) {
        if (this.peekToken()?.type === lexer.TOKEN_BLOCK_END) {
          trailingComma = true;
          break;
        }
        items.push(this.parseExpression());
      }
      node.value = items.length === 1 && !trailingComma ? items[0] : new nodes.Group(tag.lineno, tag.colno, items);
      if (trailingComma) node.value.isTuple = true;
      this.advanceAfterBlockEnd("set");
    } else {
      if (!this.skip(lexer.TOKEN_BLOCK_END)) this.fail("expected = or block end in set tag", tag.lineno, tag.colno);
      node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks("endset"));
      node.value = null;
      this.advanceAfterBlockEnd();
    }
    return node;
  }

  parseStatement(): Node {
    const tok = this.peekToken();
    return tok?.type === lexer.TOKEN_SYMBOL && tok.value === "with" ? this.parseWith() : super.parseStatement();
  }

  /** `{% with a = 1, b = x %}…{% endwith %}` (also `{% with %}` alone). */
  parseWith(): Node {
    const tag = this.nextToken();
    const targets: Node[] = [];
    const values: Node[] = [];
    while (this.peekToken()?.type !== lexer.TOKEN_BLOCK_END) {
      if (targets.length > 0 && !this.skip(lexer.TOKEN_COMMA)) this.fail("expected ',' or the end of the with tag", tag.lineno, tag.colno);
      const name = this.nextToken();
      if (name?.type !== lexer.TOKEN_SYMBOL)
        this.fail("expected a name to assign in the with tag", name?.lineno ?? tag.lineno, name?.colno ?? tag.colno);
      if (!this.skipValue(lexer.TOKEN_OPERATOR, "="))
        this.fail(`expected '=' after '${name.value}' in the with tag`, name.lineno, name.colno);
      targets.push(new nodes.Symbol(name.lineno, name.colno, name.value));
      values.push(this.parseExpression());
    }
    this.advanceAfterBlockEnd("with");
    const body = this.parseUntilBlocks("endwith");
    this.advanceAfterBlockEnd();
    return new With(tag.lineno, tag.colno, targets, values, body);
  }

  /** Jinja's `is` accepts one argument without parentheses (`x is divisibleby 3`, `x is in [1]`). */
  parseIs(): Node {
    let node = this.parseCompare();
    if (!this.skipSymbol("is")) return node;
    const not = this.skipSymbol("not");
    const tok = this.nextToken();
    if (!tok || ![lexer.TOKEN_SYMBOL, lexer.TOKEN_NONE, lexer.TOKEN_BOOLEAN].includes(tok.type)) {
      this.fail("expected a test name after 'is'", tok?.lineno, tok?.colno);
    }
    let test: Node = new nodes.Symbol(tok.lineno, tok.colno, tok.value === "null" ? "none" : tok.value);
    const next = this.peekToken();
    if (next?.type === lexer.TOKEN_LEFT_PAREN) {
      test = new nodes.FunCall(next.lineno, next.colno, test, this.parseSignature());
    } else if (next && ARG_START.has(next.type) && !(next.type === lexer.TOKEN_SYMBOL && KEYWORDS.has(next.value))) {
      const arg = this.parsePostfix(this.parsePrimary(true));
      test = new nodes.FunCall(next.lineno, next.colno, test, new nodes.NodeList(next.lineno, next.colno, [arg]));
    }
    node = new nodes.Is(node.lineno, node.colno, node, test);
    return not ? new nodes.Not(node.lineno, node.colno, node) : node;
  }

  /** nunjucks' postfix parser plus Python slices (`sha[:7]`, `items[::-1]`). */
  parsePostfix(node: Node): Node {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        this.nextToken();
        const parts: (Node | null)[] = [null];
        for (;;) {
          const t = this.peekToken();
          if (!t) this.fail("unexpected end of template in subscript");
          if (t.type === lexer.TOKEN_COLON) {
            this.nextToken();
            parts.push(null);
          } else if (t.type === lexer.TOKEN_RIGHT_BRACKET) {
            this.nextToken();
            break;
          } else {
            if (parts[parts.length - 1] !== null) this.fail("invalid index", t.lineno, t.colno);
            parts[parts.length - 1] = this.parseExpression();
          }
        }
        if (parts.length > 3 || (parts.length === 1 && parts[0] === null)) this.fail("invalid index", tok.lineno, tok.colno);
        const val = parts.length === 1 ? parts[0] : new Slice(tok.lineno, tok.colno, parts[0], parts[1] ?? null, parts[2] ?? null);
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, val);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === ".") {
        this.nextToken();
        const val = this.nextToken();
        if (val.type === lexer.TOKEN_INT || (val.type === lexer.TOKEN_FLOAT && /^\d+\.$/.test(val.value))) {
          // Jinja's `items.0` is `items[0]`. nunjucks lexes `0.` before a name (`commits.0.id`) as
          // a float "0.": that dot is the next lookup's.
          node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, parseInt(val.value, 10)));
          if (val.type === lexer.TOKEN_FLOAT) {
            const name = this.nextToken();
            if (name?.type !== lexer.TOKEN_SYMBOL) this.fail("expected name as lookup value, got " + name?.value, val.lineno, val.colno);
            if (!NAME.test(name.value)) this.fail(invalidName(name.value), name.lineno, name.colno);
            node = new nodes.LookupVal(val.lineno, val.colno, node, new nodes.Literal(name.lineno, name.colno, name.value));
          }
        } else {
          if (val.type !== lexer.TOKEN_SYMBOL) this.fail("expected name as lookup value, got " + val.value, val.lineno, val.colno);
          if (!NAME.test(val.value)) this.fail(invalidName(val.value), val.lineno, val.colno);
          node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
        }
      } else break;
      tok = this.peekToken();
    }
    return node;
  }
}
