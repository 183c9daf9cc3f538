// Never fetched: the import map sends /page/import-map/old.js to new.js.
export const old = true;
