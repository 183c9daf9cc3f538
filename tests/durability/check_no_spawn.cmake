# No shell is ever invoked: the pageload binary imports none of the functions that start
# a program (system, popen, exec*, posix_spawn*, fork). Run as
#   cmake -DBIN=path/to/pageload -P check_no_spawn.cmake
# execute_process runs nm directly, without a shell.
execute_process(COMMAND nm -D --undefined-only ${BIN} OUTPUT_VARIABLE imports RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${BIN}")
endif()
string(REGEX MATCHALL "[ \t](system|popen|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|posix_spawn|posix_spawnp|fork|vfork|clone)(@[^\n]*)?\n"
       found "${imports}")
if(found)
  message(FATAL_ERROR "pageload imports functions that start programs:\n${found}")
endif()
message(STATUS "pageload starts no programs (checked ${BIN})")
