export const again = "re-exported";
