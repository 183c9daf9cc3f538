import "./shared.js";
import { leaf } from "./leaf.js";
export const dep = `dep ${leaf}`;
