export const afterBare = true;
