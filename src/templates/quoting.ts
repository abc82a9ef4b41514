// The code generator's first layer: nunjucks' Compiler with every emitter that writes a name or a
// string from the template into the generated JavaScript replaced. nunjucks' own emitters paste
// names between double quotes unescaped (`contextOrFrameLookup(context, frame, "<name>")`), and a
// name like `a"^Function`…```^"` then ran as code. Here nothing from the source reaches the code
// except through `quoted()` (names) or JSON.stringify (string literals); JavaScript identifiers are
// generated (`t_1`, `block_0`), never made from a name; the tags that load other templates or run
// extensions are refused. The name check in ast.ts refuses such names first: this is the second wall.
import nunjucks from "nunjucks";
import { quoted } from "./names.ts";

type Node = any;
const { compiler, nodes } = nunjucks as unknown as { compiler: any; nodes: any };
const { Frame } = require("nunjucks/src/runtime");

// Jinja spells these as names; nunjucks only knows lowercase true/false/none.
const CONSTANTS: Record<string, string> = { True: "true", False: "false", None: "null" };

export class QuotingCompiler extends compiler.Compiler {
  [key: string]: any;

  constructor(...args: unknown[]) {
    super(...args);
  }

  compileSymbol(node: Node, frame: any): void {
    const id = frame.lookup(node.value);
    if (id) this._emit(id);
    else if (Object.hasOwn(CONSTANTS, node.value)) this._emit(CONSTANTS[node.value]!);
    else this._emit(`runtime.contextOrFrameLookup(context, frame, ${quoted(node.value)})`);
  }

  compileLiteral(node: Node): void {
    const { value } = node;
    if (typeof value === "string") this._emit(JSON.stringify(value));
    else if (value === null) this._emit("null");
    else if (typeof value === "boolean") this._emit(String(value));
    else if (typeof value !== "number") this.fail("unsupported literal", node.lineno, node.colno);
    else if (node.isFloat) this._emit(`runtime.float(${value})`);
    else if (node.bigInt !== undefined) this._emit(`runtime.int(${quoted(node.bigInt)})`);
    else this._emit(String(value));
  }

  compileTemplateData(node: Node): void {
    this.compileLiteral(node);
  }

  compileFunCall(node: Node, frame: unknown): void {
    // As nunjucks calls a name, with the name (for error messages) as a string literal.
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callWrap(`);
    this._compileExpression(node.name, frame);
    this._emit(`, ${quoted(this._getNodeName(node.name))}, context, `);
    this._compileAggregate(node.args, frame, "[", "])");
    this._emit(")");
  }

  compileFilter(node: Node, frame: unknown): void {
    this._emit(`env.getFilter(${quoted(node.name.value)}).call(context, `);
    this._compileAggregate(node.args, frame);
    this._emit(")");
  }

  compileIs(node: Node, frame: unknown): void {
    const test = node.right.name ? node.right.name.value : node.right.value;
    this._emit(`env.getTest(${quoted(test)}).call(context, `);
    this.compile(node.left, frame);
    if (node.right.args) {
      this._emit(",");
      this.compile(node.right.args, frame);
    }
    this._emit(") === true");
  }

  /** A macro or a call block's caller: a function of its parameters, bound to names by frame.set. */
  _compileMacro(node: Node, frame?: any): string {
    const funcId = `macro_${this._tmpid()}`;
    const keepFrame = frame !== undefined;
    const children: Node[] = node.args.children;
    const last = children[children.length - 1];
    const kwargs: Node | null = last instanceof nodes.Dict ? last : null;
    const args = kwargs ? children.slice(0, -1) : children;
    for (const arg of args) this.assertType(arg, nodes.Symbol);
    const argIds = args.map(() => this._tmpid());
    const inner = keepFrame ? frame.push(true) : new Frame();
    this._emitLines(
      `var ${funcId} = runtime.makeMacro(`,
      `[${args.map((a) => quoted(a.value)).join(", ")}], `,
      `[${(kwargs?.children ?? []).map((p: Node) => quoted(p.key.value)).join(", ")}], `,
      `function (${[...argIds, "kwargs"].join(", ")}) {`,
      "var callerFrame = frame;",
      `frame = ${keepFrame ? "frame.push(true);" : "new runtime.Frame();"}`,
      "kwargs = kwargs || {};",
      'if (Object.prototype.hasOwnProperty.call(kwargs, "caller")) {',
      'frame.set("caller", kwargs.caller); }',
    );
    args.forEach((arg, k) => {
      this._emitLine(`frame.set(${quoted(arg.value)}, ${argIds[k]});`);
      inner.set(arg.value, argIds[k]);
    });
    for (const pair of kwargs?.children ?? []) {
      const name = quoted(pair.key.value);
      this._emit(`frame.set(${name}, Object.prototype.hasOwnProperty.call(kwargs, ${name}) ? kwargs[${name}] : `);
      this._compileExpression(pair.value, inner);
      this._emit(");");
    }
    const bufferId = this._pushBuffer();
    this._withScopedSyntax(() => this.compile(node.body, inner));
    this._emitLine(`frame = ${keepFrame ? "frame.pop();" : "callerFrame;"}`);
    this._emitLine(`return new runtime.SafeString(${bufferId});`);
    this._emitLine("});");
    this._popBuffer();
    return funcId;
  }

  compileMacro(node: Node, frame: any): void {
    const funcId = this._compileMacro(node);
    const name = quoted(node.name.value);
    frame.set(node.name.value, funcId);
    if (frame.parent) this._emitLine(`frame.set(${name}, ${funcId});`);
    else this._emitLine(`context.setVariable(${name}, ${funcId});`);
  }

  /** Block functions, named by position; the template's blocks are keyed by name in a JSON literal. */
  private blockIds = new Map<string, string>();

  compileRoot(node: Node, frame: unknown): void {
    if (frame) this.fail("compileRoot: root node can't have frame");
    const blocks: Node[] = node.findAll(nodes.Block);
    for (const block of blocks) {
      const name = block.name.value;
      if (this.blockIds.has(name)) this.fail(`Block ${quoted(name)} defined more than once.`, block.lineno, block.colno);
      this.blockIds.set(name, `block_${this.blockIds.size}`);
    }
    this._emitFuncBegin(node, "root");
    this._compileChildren(node, new Frame());
    this._emitLine(`cb(null, ${this.buffer});`);
    this._emitFuncEnd(true);
    this.inBlock = true;
    for (const block of blocks) {
      this._emitFuncBegin(block, this.blockIds.get(block.name.value));
      this._emitLine("var frame = frame.push(true);");
      this.compile(block.body, new Frame());
      this._emitFuncEnd();
    }
    this._emitLine("return {");
    for (const block of blocks) this._emitLine(`${quoted(`b_${block.name.value}`)}: ${this.blockIds.get(block.name.value)},`);
    this._emitLine("root: root\n};");
  }

  compileBlock(node: Node): void {
    const id = this._tmpid();
    this._emit(`context.getBlock(${quoted(node.name.value)})`);
    this._emitLine(`(env, context, frame, runtime, ${this._makeCallback(id)}`);
    this._emitLine(`${this.buffer} += ${id};`);
    this._addScopeLevel();
  }

  compileSuper(node: Node, frame: any): void {
    const id = node.symbol.value;
    this._emitLine(`context.getSuper(env, ${quoted(node.blockName.value)}, null, frame, runtime, ${this._makeCallback(id)}`);
    this._emitLine(`${id} = runtime.markSafe(${id});`);
    this._addScopeLevel();
    frame.set(id, id);
  }

  /** Tags that load other templates or run extensions: ast.ts refuses them before compiling. */
  private refuse(node: Node): void {
    this.fail(`${node.typename} is not supported: a webhook template is a single template`, node.lineno, node.colno);
  }

  compileImport(node: Node): void {
    this.refuse(node);
  }
  compileFromImport(node: Node): void {
    this.refuse(node);
  }
  compileInclude(node: Node): void {
    this.refuse(node);
  }
  compileExtends(node: Node): void {
    this.refuse(node);
  }
  compileCallExtension(node: Node): void {
    this.refuse(node);
  }
  compileCallExtensionAsync(node: Node): void {
    this.refuse(node);
  }
  compileFilterAsync(node: Node): void {
    this.refuse(node);
  }
  compileAsyncEach(node: Node): void {
    this.refuse(node);
  }
  compileAsyncAll(node: Node): void {
    this.refuse(node);
  }
  compileIfAsync(node: Node): void {
    this.refuse(node);
  }
}
