// nunjucks' parser and code generator, specialised for Jinja parity and the sandbox. The generated
// JS calls `runtime.*` (sandbox.ts) for every lookup, call, operator, loop and print, so no template
// expression runs as a bare JS operation on request data. It builds on QuotingCompiler (quoting.ts),
// which owns every emitter that writes a name into code.
import nunjucks from "nunjucks";
import { TemplateError } from "./errors.ts";
import { LIMITS } from "./limits.ts";
import { assignedNames, check } from "./ast.ts";
import { quoted } from "./names.ts";
import { QuotingCompiler } from "./quoting.ts";
import { JinjaParser, Slice } from "./parser.ts";

type Node = any;
const nj = nunjucks as unknown as { compiler: any; lexer: any; nodes: any };
const { nodes, lexer } = nj;
const transformer = require("nunjucks/src/transformer");

const BINARY: Record<string, string> = {
  Add: "add",
  Sub: "sub",
  Mul: "mul",
  Div: "div",
  FloorDiv: "floorDiv",
  Mod: "mod",
  Pow: "pow",
  Concat: "concat",
};

class JinjaCompiler extends QuotingCompiler {
  [key: string]: any;

  constructor(...args: unknown[]) {
    super(...args);
  }

  compile(node: Node, frame?: unknown): void {
    const op = BINARY[node.typename];
    if (op) {
      this._emit(`runtime.${op}(`);
      this.compile(node.left, frame);
      this._emit(", ");
      this.compile(node.right, frame);
      this._emit(")");
      return;
    }
    super.compile(node, frame);
  }

  private line(node: Node): void {
    this._emitLine(`lineno = ${node.lineno}; colno = ${node.colno};`);
  }

  private unary(fn: string, node: Node, frame: unknown): void {
    this._emit(`${fn}(`);
    this.compile(node, frame);
    this._emit(")");
  }

  compileGroup(node: Node, frame: unknown): void {
    // `(x)` is x; `(x,)` and `(x, y)` are tuples.
    if (node.children.length === 1 && !node.isTuple) return super.compileGroup(node, frame);
    this._emit("runtime.tuple(");
    this._compileAggregate(node, frame, "[", "]");
    this._emit(")");
  }

  compileDict(node: Node, frame: unknown): void {
    this._emit("runtime.dict([");
    node.children.forEach((pair: Node, i: number) => {
      if (i > 0) this._emit(",");
      this._emit("[");
      this.compilePair(pair, frame);
      this._emit("]");
    });
    this._emit("])");
  }

  compilePair(node: Node, frame: unknown): void {
    let key = node.key;
    if (key instanceof nodes.Symbol) key = new nodes.Literal(key.lineno, key.colno, key.value);
    else if (!(key instanceof nodes.Literal && typeof key.value === "string")) {
      this.fail("dict keys must be strings or names", key.lineno, key.colno);
    }
    this.compile(key, frame);
    this._emit(", ");
    this._compileExpression(node.value, frame);
  }

  compileInlineIf(node: Node, frame: unknown): void {
    this.unary("(runtime.truthy", node.cond, frame);
    this._emit(" ? ");
    this.compile(node.body, frame);
    this._emit(" : ");
    if (node.else_) this.compile(node.else_, frame);
    else this._emit("undefined");
    this._emit(")");
  }

  compileIn(node: Node, frame: unknown): void {
    this._emit("runtime.contains(");
    this.compile(node.right, frame);
    this._emit(", ");
    this.compile(node.left, frame);
    this._emit(")");
  }

  // Python's `and`/`or` return an operand, judged by Python truthiness ([] and {} are false).
  compileOr(node: Node, frame: unknown): void {
    this._emit("(($l) => runtime.truthy($l) ? $l : ");
    this.compile(node.right, frame);
    this.unary(")", node.left, frame);
  }

  compileAnd(node: Node, frame: unknown): void {
    this._emit("(($l) => !runtime.truthy($l) ? $l : ");
    this.compile(node.right, frame);
    this.unary(")", node.left, frame);
  }

  compileNot(node: Node, frame: unknown): void {
    this.unary("!runtime.truthy", node.target, frame);
  }

  compileNeg(node: Node, frame: unknown): void {
    this.unary("runtime.neg", node.target, frame);
  }

  compilePos(node: Node, frame: unknown): void {
    this.unary("runtime.pos", node.target, frame);
  }

  compileCompare(node: Node, frame: unknown): void {
    // a < b < c is (a < b) and (b < c), evaluating b once.
    const ops = node.ops as Node[];
    this._emit("(($v0");
    ops.forEach((_: Node, i: number) => this._emit(`, $v${i + 1}`));
    this._emit(") => ");
    this._emit(ops.map((op, i) => `runtime.compare(${JSON.stringify(op.type)}, $v${i}, $v${i + 1})`).join(" && "));
    this._emit(")(");
    this.compile(node.expr, frame);
    for (const op of ops) {
      this._emit(", ");
      this.compile(op.expr, frame);
    }
    this._emit(")");
  }

  compileLookupVal(node: Node, frame: unknown): void {
    if (!(node.val instanceof Slice)) return super.compileLookupVal(node, frame);
    this._emit("runtime.slice(");
    this.compile(node.target, frame);
    for (const part of [node.val.start, node.val.stop, node.val.step]) {
      this._emit(", ");
      if (part) this.compile(part, frame);
      else this._emit("null");
    }
    this._emit(")");
  }

  compileFunCall(node: Node, frame: unknown): void {
    if (!(node.name instanceof nodes.LookupVal) || node.name.val instanceof Slice) return super.compileFunCall(node, frame);
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callMethod(`);
    this.compile(node.name.target, frame);
    this._emit(", ");
    this.compile(node.name.val, frame);
    this._emit(", ");
    this._compileAggregate(node.args, frame, "[", "]");
    this._emit("))");
  }

  compileIf(node: Node, frame: unknown): void {
    this.line(node);
    this._emit("if (runtime.truthy(");
    this._compileExpression(node.cond, frame);
    this._emitLine(")) {");
    this._withScopedSyntax(() => this.compile(node.body, frame));
    if (node.else_) {
      this._emitLine("} else {");
      this._withScopedSyntax(() => this.compile(node.else_, frame));
    }
    this._emitLine("}");
  }

  compileSet(node: Node, frame: any): void {
    this.line(node);
    const target = node.targets[0];
    if (node.targets.length === 1 && target instanceof nodes.LookupVal && node.value) {
      this._emit("runtime.setAttr(");
      this.compile(target.target, frame);
      this._emit(", ");
      this.compile(target.val, frame);
      this._emit(", ");
      this._compileExpression(node.value, frame);
      this._emitLine(");");
      return;
    }
    for (const t of node.targets)
      if (!(t instanceof nodes.Symbol)) this.fail("can only assign to names and namespace attributes", t.lineno, t.colno);
    const value = this._tmpid();
    this._emit(`var ${value} = `);
    if (node.value) this._compileExpression(node.value, frame);
    else this.compile(node.body, frame);
    this._emitLine(";");
    // Several names: Jinja unpacks the value (nunjucks would give each name the whole value).
    const several = node.targets.length > 1;
    if (several) this._emitLine(`${value} = runtime.unpack(${value}, ${node.targets.length});`);
    node.targets.forEach((t: Node, k: number) => {
      const name = quoted(t.value);
      let id = frame.lookup(t.value);
      if (!id) {
        id = this._tmpid();
        this._emitLine(`var ${id};`);
      }
      this._emitLine(`${id} = ${value}${several ? `[${k}]` : ""};`);
      this._emitLine(`frame.set(${name}, ${id}, true);`);
      this._emitLine(`if (frame.topLevel) context.setVariable(${name}, ${id});`);
    });
  }

  compileWith(node: Node, frame: any): void {
    this.line(node);
    // The values are computed in the enclosing scope, then bound for the body only.
    const ids = node.values.map((value: Node) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this._compileExpression(value, frame);
      this._emitLine(";");
      return id;
    });
    const outer = frame;
    frame = frame.push();
    this._emitLine("frame = frame.push(true);");
    node.targets.forEach((t: Node, k: number) => {
      frame.set(t.value, ids[k]);
      this._emitLine(`frame.variables[${quoted(t.value)}] = ${ids[k]};`);
    });
    this.scopeLocals(
      node.body,
      outer,
      frame,
      node.targets.map((t: Node) => t.value),
    )();
    this._withScopedSyntax(() => this.compile(node.body, frame));
    this._emitLine("frame = frame.pop();");
  }

  /**
   * Jinja's scoping for a block with a scope of its own (a loop iteration, a with block): the names
   * its body assigns become the block's own, starting from their value outside (read at run time by
   * the returned function), so the outside value is left as it was.
   */
  private scopeLocals(body: Node, outer: any, inner: any, own: string[]): () => void {
    const locals = [...assignedNames(body)].filter((name) => !own.includes(name));
    const ids = locals.map((name) => {
      const id = this._tmpid();
      inner.set(name, id);
      return id;
    });
    return () =>
      locals.forEach((name, k) => {
        const known = outer.lookup(name);
        this._emitLine(`var ${ids[k]} = ${known ?? `runtime.contextOrFrameLookup(context, frame.parent, ${quoted(name)})`};`);
      });
  }

  compileCapture(node: Node, frame: unknown): void {
    // A captured block is template output whose values were already escaped when printed.
    this._emit("runtime.markSafe(");
    super.compileCapture(node, frame);
    this._emit(")");
  }

  compileOutput(node: Node, frame: unknown): void {
    const buf = this.buffer;
    for (const child of node.children) {
      if (child instanceof nodes.TemplateData) {
        if (!child.value) continue;
        this._emit(`${buf} = runtime.lit(${buf}, `);
        this.compileLiteral(child);
        this._emitLine(");");
      } else {
        this.line(child);
        this._emit(`${buf} = runtime.out(${buf}, `);
        this.compile(child, frame);
        this._emitLine(");");
      }
    }
  }

  compileFor(node: Node, frame: any): void {
    this.line(node);
    const [i, len, arr] = [this._tmpid(), this._tmpid(), this._tmpid()];
    frame = frame.push();
    this._emitLine("frame = frame.push(true);");
    let source = node.arr;
    let cond: Node = null;
    // `for x in items if cond` parses as an InlineIf without else: Jinja's loop filter.
    if (source instanceof nodes.InlineIf && !source.else_) [source, cond] = [source.body, source.cond];
    const names: Node[] = node.name instanceof nodes.Array ? node.name.children : [node.name];
    const ids = names.map(() => this._tmpid());
    names.forEach((n, k) => frame.set(n.value, ids[k]));
    this._emit(`var ${arr} = runtime.iterate(`);
    this._compileExpression(source, frame);
    this._emitLine(`, ${names.length});`);
    const bindItem = () => {
      if (names.length === 1) this._emitLine(`var ${ids[0]} = ${arr}[${i}];`);
      else {
        this._emitLine(`var ${ids[0]}_u = runtime.unpack(${arr}[${i}], ${names.length});`);
        ids.forEach((id, k) => this._emitLine(`var ${id} = ${ids[0]}_u[${k}];`));
      }
      // frame.set(name, value) would split the name on dots first; a loop variable has none.
      names.forEach((n, k) => this._emitLine(`frame.variables[${quoted(n.value)}] = ${ids[k]};`));
    };
    if (cond) {
      const kept = this._tmpid();
      this._emitLine(`var ${kept} = [];`);
      this._emitLine(`for (var ${i} = 0; ${i} < ${arr}.length; ${i}++) { runtime.tick();`);
      bindItem();
      this._emit("if (runtime.truthy(");
      this._compileExpression(cond, frame);
      this._emitLine(`)) ${kept}.push(${arr}[${i}]); }`);
      this._emitLine(`${arr} = ${kept};`);
    }
    // Each iteration (and the else block) starts from the outside values of the names the body
    // assigns; the iterable and the loop filter above read the outside values too.
    const startIteration = this.scopeLocals(
      node.body,
      frame.parent,
      frame,
      names.map((n) => n.value),
    );
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) { runtime.tick();`);
    bindItem();
    startIteration();
    this._emitLine(`frame.variables.loop = runtime.loop(${arr}, ${i});`);
    this._withScopedSyntax(() => this.compile(node.body, frame));
    this._emitLine("}");
    if (node.else_) {
      this._emitLine(`if (!${len}) {`);
      startIteration();
      this.compile(node.else_, frame);
      this._emitLine("}");
    }
    this._emitLine("frame = frame.pop();");
  }
}

export interface CompiledCode {
  root: Function;
  blocks: Record<string, Function>;
}

export function compileToCode(source: string, filters: ReadonlySet<string>, tests: ReadonlySet<string>): CompiledCode {
  if (source.length > LIMITS.templateChars) {
    throw new TemplateError("template_limit", `the template is longer than ${LIMITS.templateChars} characters`);
  }
  let ast: Node;
  try {
    const parser = new JinjaParser(lexer.lex(source, {}));
    parser.extensions = [];
    ast = parser.parseAsRoot();
  } catch (e) {
    throw syntaxError(e, source.split("\n").length);
  }
  check(ast, filters, tests);
  return generateCode(ast, source.split("\n").length);
}

/** Code for a parsed template that passed check(); also what the tests feed hostile trees to. */
export function generateCode(ast: Node, lastLine = 1): CompiledCode {
  let code: string;
  try {
    const compiler = new JinjaCompiler("template", false);
    compiler.compile(transformer.transform(ast, [], "template"));
    code = compiler.getCode();
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw syntaxError(e, lastLine);
  }
  const props = new Function(code)() as Record<string, Function>;
  const blocks: Record<string, Function> = Object.create(null);
  for (const k of Object.keys(props)) if (k.startsWith("b_")) blocks[k.slice(2)] = props[k]!;
  return { root: props.root!, blocks };
}

/** Errors at the end of the template (an unclosed tag) come without a line: report the last one. */
function syntaxError(e: unknown, lastLine: number): TemplateError {
  const err = e as { lineno?: number; message?: string };
  // nunjucks prefixes "(unknown path) [Line n, Column m]" to the message; keep the reason only.
  const message = String(err.message ?? e)
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/s, "")
    .trim();
  const line = typeof err.lineno === "number" ? err.lineno : lastLine;
  return new TemplateError("template_syntax", message.split("\n")[0] || "syntax error", line);
}
