// nunjucks' parser, extended with the Jinja syntax webhook templates use and nunjucks lacks:
// Python slices (`sha[:7]`), float literals that stay floats (`1.0`) and exponent literals (`1e3`),
// `is` tests with one argument without parentheses (`x is divisibleby 3`), tuple assignment
// (`{% set a, b = 1, 2 %}`) and `{% with %}` blocks.
import nunjucks from "nunjucks";

type Node = any;
const nj = nunjucks as unknown as { parser: any; lexer: any; nodes: any };
const { nodes, lexer } = nj;

export const Slice = nodes.Node.extend("Slice", { fields: ["start", "stop", "step"] });
/** `{% with a = 1, b = x %}…{% endwith %}`: names bound for the body only. */
export const With = nodes.Node.extend("With", { fields: ["targets", "values", "body"] });

const ARG_START = new Set([
  lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE,
  lexer.TOKEN_SYMBOL, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY,
]);
const KEYWORDS = new Set(["else", "or", "and", "if", "not", "in", "is"]);

export class JinjaParser extends nj.parser.Parser {
  constructor(...args: unknown[]) {
    super(...args);
  }

  parsePrimary(noPostfix?: boolean): Node {
    const tok = this.peekToken();
    const exponent = this.parseExponentLiteral();
    if (exponent) return noPostfix ? exponent : this.parsePostfix(exponent);
    const node = super.parsePrimary(noPostfix);
    if (tok && tok.type === lexer.TOKEN_FLOAT) {
      let n = node;
      while (n && !(n instanceof nodes.Literal)) n = n.target ?? n.name;
      if (n && Number.isInteger(n.value)) n.isFloat = true;
    }
    return node;
  }

  /**
   * `1e3`, `2.5e-3`, `1E+5`: nunjucks' lexer splits them (a symbol `1e3`, or a number followed at
   * once by a symbol `e…`, then the exponent's sign and digits); Jinja reads one float literal.
   * Adjacency is read from the source: a peeked token leaves the lexer right after it.
   */
  private parseExponentLiteral(): Node | null {
    const first = this.peekToken();
    if (!first) return null;
    const number = first.type === lexer.TOKEN_INT || first.type === lexer.TOKEN_FLOAT;
    const nextChar = () => this.tokens.current() as string;
    if (number ? !/[eE]/.test(nextChar()) : !(first.type === lexer.TOKEN_SYMBOL && /^\d+[eE]\d*$/.test(first.value))) return null;
    this.nextToken();
    let text: string = first.value;
    if (number) {
      const e = this.nextToken();
      if (!/^[eE]\d*$/.test(e.value)) this.fail(`invalid number literal: ${text}${e.value}`, first.lineno, first.colno);
      text += e.value;
    }
    if (/[eE]$/.test(text)) {
      const sign = nextChar();
      if (sign !== "-" && sign !== "+") this.fail(`invalid number literal: ${text}`, first.lineno, first.colno);
      this.nextToken();
      if (!/\d/.test(nextChar())) this.fail(`invalid number literal: ${text}${sign}`, first.lineno, first.colno);
      text += sign + this.nextToken().value;
    }
    const node = new nodes.Literal(first.lineno, first.colno, Number(text));
    // An exponent makes a float in Python: 1e3 is 1000.0.
    if (Number.isInteger(node.value)) node.isFloat = true;
    return node;
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
      while (this.skip(lexer.TOKEN_COMMA)) items.push(this.parseExpression());
      node.value = items.length === 1 ? items[0] : new nodes.Group(tag.lineno, tag.colno, items);
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
      if (name?.type !== lexer.TOKEN_SYMBOL) this.fail("expected a name to assign in the with tag", name?.lineno ?? tag.lineno, name?.colno ?? tag.colno);
      if (!this.skipValue(lexer.TOKEN_OPERATOR, "=")) this.fail(`expected '=' after '${name.value}' in the with tag`, name.lineno, name.colno);
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
        if (val.type !== lexer.TOKEN_SYMBOL) this.fail("expected name as lookup value, got " + val.value, val.lineno, val.colno);
        node = new nodes.LookupVal(tok.lineno, tok.colno, node, new nodes.Literal(val.lineno, val.colno, val.value));
      } else break;
      tok = this.peekToken();
    }
    return node;
  }
}
