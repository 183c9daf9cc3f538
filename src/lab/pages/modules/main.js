// import "./commented.js";  (a comment: not fetched)
import { dep } from "./dep.js";
import * as shared from './shared.js';
export * from "./reexport.js";
const text = 'import "./in-string.js"';
const pattern = /import "\.\/in-regex.js"/;
export async function later() {
  return import("./dynamic.js");  // when run: not fetched
}
export const all = [dep, shared, text, pattern];
