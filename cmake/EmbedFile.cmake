# Script mode: turn IN into a C++ source defining SYMBOL (a NUL-terminated char array).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}" "#include <cstddef>\nnamespace pageload::embedded {\nextern const char ${SYMBOL}[];\nextern const std::size_t ${SYMBOL}_size;\nconst char ${SYMBOL}[] = {${body}'\\0'};\nconst std::size_t ${SYMBOL}_size = ${size};\n}\n")
