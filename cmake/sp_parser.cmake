# The SQL parser library sp_parser: our own ANTLR4 grammar (grammar/), turned into C++ at build
# time in the build directory, and src/parser/. Included by CMakeLists.txt in both the normal
# build and the fuzz build (SHARDPROXY_FUZZ), so the two always compile the same parser.
find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_path(ANTLR4_RUNTIME_INCLUDE_DIR antlr4-runtime.h PATH_SUFFIXES antlr4-runtime REQUIRED)
find_library(ANTLR4_RUNTIME_LIBRARY antlr4-runtime REQUIRED)
set(SP_GRAMMAR_DIR ${CMAKE_SOURCE_DIR}/grammar)
set(SP_PARSER_GEN_DIR ${CMAKE_BINARY_DIR}/generated/parser)
# MySqlLexer.g4 imports the other lexer grammars and MySqlParser.g4 the parser ones; any change
# to any of them regenerates.
file(GLOB SP_GRAMMAR_FILES CONFIGURE_DEPENDS ${SP_GRAMMAR_DIR}/*.g4)
set(SP_PARSER_GEN_SOURCES
  ${SP_PARSER_GEN_DIR}/MySqlLexer.cpp ${SP_PARSER_GEN_DIR}/MySqlParser.cpp
  ${SP_PARSER_GEN_DIR}/MySqlParserVisitor.cpp ${SP_PARSER_GEN_DIR}/MySqlParserBaseVisitor.cpp)
set(SP_PARSER_GEN_HEADERS
  ${SP_PARSER_GEN_DIR}/MySqlLexer.h ${SP_PARSER_GEN_DIR}/MySqlParser.h
  ${SP_PARSER_GEN_DIR}/MySqlParserVisitor.h ${SP_PARSER_GEN_DIR}/MySqlParserBaseVisitor.h)
add_custom_command(
  OUTPUT ${SP_PARSER_GEN_SOURCES} ${SP_PARSER_GEN_HEADERS}
         ${SP_PARSER_GEN_DIR}/MySqlLexer.tokens ${SP_PARSER_GEN_DIR}/MySqlParser.tokens
  COMMAND ${CMAKE_COMMAND} -DANTLR=${ANTLR4_TOOL} -DGRAMMAR_DIR=${SP_GRAMMAR_DIR}
          -DOUTPUT_DIR=${SP_PARSER_GEN_DIR} -DPACKAGE=shardproxy::parser::gen
          -DLEXER=MySqlLexer.g4 -DPARSER=MySqlParser.g4
          -P ${CMAKE_SOURCE_DIR}/cmake/antlr_generate.cmake
  DEPENDS ${SP_GRAMMAR_FILES} ${CMAKE_SOURCE_DIR}/cmake/antlr_generate.cmake
  COMMENT "Generating the SQL parser with ANTLR"
  VERBATIM)
# The generated code is not ours to fix: no warnings for it. ANTLR 4.7.2 writes u8"" literals into
# std::string, which C++20's char8_t forbids.
set_source_files_properties(${SP_PARSER_GEN_SOURCES} PROPERTIES COMPILE_OPTIONS "-w;-fno-char8_t")
add_library(sp_parser STATIC
  ${SP_PARSER_GEN_SOURCES}
  src/parser/parser.cc
  src/parser/code_points.cc
  src/parser/normalizer.cc
  src/parser/server_version.cc
  src/parser/statement_cache.cc
  src/parser/literals.cc
  src/parser/ast_print.cc
  src/parser/ast_json.cc
  src/parser/transform_statement.cc
  src/parser/transform_dal.cc
  src/parser/transform_names.cc
  src/parser/transform_select.cc
  src/parser/transform_insert.cc
  src/parser/transform_update_delete.cc
  src/parser/transform_ddl.cc
  src/parser/transform_expression.cc
  src/parser/transform_load_data.cc
  src/parser/table_statement.cc
)
# The ANTLR runtime and the generated headers stay private: the parse tree never leaves parser/.
target_include_directories(sp_parser SYSTEM PRIVATE ${ANTLR4_RUNTIME_INCLUDE_DIR} ${SP_PARSER_GEN_DIR})
target_compile_options(sp_parser PRIVATE -Wno-attributes)
target_link_libraries(sp_parser PUBLIC sp_common PRIVATE ${ANTLR4_RUNTIME_LIBRARY})
