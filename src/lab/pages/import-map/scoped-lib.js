export const lib = "scoped/'s own app-lib";
