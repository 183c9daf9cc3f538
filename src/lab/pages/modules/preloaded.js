import "./preload-dep.js";
export const preloaded = true;
