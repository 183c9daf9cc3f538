export const preloadDep = true;
