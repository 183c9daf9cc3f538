# pageload_embed(TARGET NAME SYMBOL FILE): compiles FILE's bytes into TARGET as
#   extern const char SYMBOL[]; extern const std::size_t SYMBOL_size;
# in namespace pageload::embedded, so the binary needs no data files at run time.
function(pageload_embed target symbol file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out}")
endfunction()

# pageload_embed_tree(TARGET SYMBOL DIR): compiles every file under DIR into TARGET, with
# an index of them, in namespace pageload::embedded:
#   extern const char* const SYMBOL_paths[];   // relative to DIR, e.g. "fonts/fonts.css"
#   extern const char* const SYMBOL_data[];    // each NUL-terminated
#   extern const std::size_t SYMBOL_sizes[];   // bytes, without the NUL
#   extern const std::size_t SYMBOL_count;
# Files added or removed are picked up when CMake next runs (CONFIGURE_DEPENDS).
function(pageload_embed_tree target symbol dir)
  file(GLOB_RECURSE files RELATIVE "${dir}" CONFIGURE_DEPENDS "${dir}/*")
  list(SORT files)
  set(decls "")
  set(paths "")
  set(datas "")
  set(sizes "")
  set(i 0)
  foreach(rel IN LISTS files)
    set(file_symbol "${symbol}_${i}")
    pageload_embed(${target} ${file_symbol} "${dir}/${rel}")
    string(APPEND decls "extern const char ${file_symbol}[];\nextern const std::size_t ${file_symbol}_size;\n")
    string(APPEND paths "    \"${rel}\",\n")
    string(APPEND datas "    ${file_symbol},\n")
    string(APPEND sizes "    ${file_symbol}_size,\n")
    math(EXPR i "${i} + 1")
  endforeach()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}_index.cpp")
  file(CONFIGURE OUTPUT "${out}" @ONLY CONTENT
"#include <cstddef>
namespace pageload::embedded {
${decls}
extern const char* const ${symbol}_paths[];
extern const char* const ${symbol}_data[];
extern const std::size_t ${symbol}_sizes[];
extern const std::size_t ${symbol}_count;
const char* const ${symbol}_paths[] = {
${paths}};
const char* const ${symbol}_data[] = {
${datas}};
const std::size_t ${symbol}_sizes[] = {
${sizes}};
const std::size_t ${symbol}_count = ${i};
}
")
  target_sources(${target} PRIVATE "${out}")
endfunction()
