import { lib } from "app-lib";
import { shout } from "utils/strings.js";
import "./old.js";
export const all = [lib, shout];
