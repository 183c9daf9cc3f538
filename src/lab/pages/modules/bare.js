// A bare specifier without an import map does not resolve: the module fails before its
// imports are fetched, so not even ./after-bare.js is.
import "./after-bare.js";
import React from "react";
export const bare = React;
