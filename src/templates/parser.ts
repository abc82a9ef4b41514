// nunjucks' parser, extended with the Jinja syntax webhook templates use and nunjucks lacks:
// Python slices (`sha[:7]`), float literals that stay floats (`1.0`), and `is` tests with one
// argument without parentheses (`x is divisibleby 3`).
import nunjucks from "nunjucks";

type Node = any;
const nj = nunjucks as unknown as { parser: any; lexer: any; nodes: any };
const { nodes, lexer } = nj;

export const Slice = nodes.Node.extend("Slice", { fields: ["start", "stop", "step"] });

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
    const node = super.parsePrimary(noPostfix);
    if (tok && tok.type === lexer.TOKEN_FLOAT) {
      let n = node;
      while (n && !(n instanceof nodes.Literal)) n = n.target ?? n.name;
      if (n && Number.isInteger(n.value)) n.isFloat = true;
    }
    return node;
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
