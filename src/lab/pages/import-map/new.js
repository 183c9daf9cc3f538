export const replacement = true;
