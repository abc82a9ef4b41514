import { render } from "preact";
import { App } from "./App.tsx";
import { Toasts } from "./components/Toasts.tsx";

render(<App />, document.getElementById("app")!);
// Toasts live outside the app's tree, so they outlast page changes and sign-out.
const toasts = document.body.appendChild(document.createElement("div"));
render(<Toasts />, toasts);
