# Runs the ANTLR tool on the lexer grammar, then on the parser grammar, and fails when ANTLR
# reports any error or warning: the Debian antlr4 4.7.2 exits 0 on warnings such as an implicit
# token definition (a misspelt or new keyword in a parser rule), hence -Werror and the check of
# the output.
# Invoked by the sp_parser build rule with -DANTLR=... -DGRAMMAR_DIR=... -DOUTPUT_DIR=...
# -DPACKAGE=... -DLEXER=... -DPARSER=...

function(run_antlr grammar)
  execute_process(
    COMMAND ${ANTLR} -Dlanguage=Cpp -visitor -no-listener -package ${PACKAGE}
            -Werror -o ${OUTPUT_DIR} -lib ${OUTPUT_DIR} ${grammar}
    WORKING_DIRECTORY ${GRAMMAR_DIR}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  set(all "${out}${err}")
  if(NOT rc EQUAL 0 OR all MATCHES "error\\(" OR all MATCHES "warning\\(")
    set(hint "")
    if(all MATCHES "implicit definition of token")
      # ANTLR reports tokens of imported grammars at the import line of MySqlParser.g4.
      string(CONCAT hint "\nA token no lexer rule defines: if it is a new keyword, run "
             "python3 grammar/gen_keywords.py to add it to MySqlKeywords.g4 and Keywords.g4.")
    endif()
    message(FATAL_ERROR "ANTLR failed on ${grammar} (exit ${rc}):\n${all}${hint}")
  endif()
  if(NOT all STREQUAL "")
    message("${all}")
  endif()
endfunction()

file(MAKE_DIRECTORY ${OUTPUT_DIR})
run_antlr(${LEXER})
run_antlr(${PARSER})
