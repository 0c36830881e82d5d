# Writes relc(1), gzipped reproducibly (no name, no time: the same bytes at every build), and
# the bash and zsh completions, by running the relc just built.
#   cmake -DRELC=path/to/relc -DOUTPUT_DIR=build/share -P WriteManPageAndCompletions.cmake
foreach(step IN ITEMS "man/man1;relc.1;help;--man" "bash-completion/completions;relc;completion;bash"
                      "zsh/vendor-completions;_relc;completion;zsh")
  list(GET step 0 folder)
  list(GET step 1 name)
  list(GET step 2 command)
  list(GET step 3 argument)
  file(MAKE_DIRECTORY ${OUTPUT_DIR}/${folder})
  execute_process(COMMAND ${RELC} ${command} ${argument} OUTPUT_FILE ${OUTPUT_DIR}/${folder}/${name} RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "relc ${command} ${argument} failed: ${failed}")
  endif()
endforeach()
execute_process(COMMAND gzip -9 -n -f ${OUTPUT_DIR}/man/man1/relc.1 RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "gzip of relc.1 failed: ${failed}")
endif()
