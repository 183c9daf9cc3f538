import { lib } from "app-lib";
export const scoped = lib;
