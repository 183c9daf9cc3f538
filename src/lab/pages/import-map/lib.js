export const lib = "the page's app-lib";
