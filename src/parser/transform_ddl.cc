// DDL: the tables, index / constraint names, database name and IF [NOT] EXISTS flags of
// CREATE / ALTER / DROP / TRUNCATE / RENAME TABLE, CREATE / DROP INDEX, databases and views
// (see DdlStatement in ast.h). Queries (CREATE TABLE ... AS SELECT, views) go through the
// select builder.
#include <algorithm>

#include "parser/transform.h"

namespace shardproxy::parser::ast {

void Transformer::ddlStatement(antlr4::ParserRuleContext* body) {
  DdlStatement& ddl = out_.ddl;
  // IF [NOT] EXISTS right under the statement rule belongs to the statement's object; the ones
  // inside ALTER TABLE items are per clause.
  for (antlr4::tree::ParseTree* child : body->children) {
    if (dynamic_cast<P::IfExistsContext*>(child) != nullptr) {
      ddl.ifExists = true;
    } else if (dynamic_cast<P::IfNotExistsContext*>(child) != nullptr) {
      ddl.ifNotExists = true;
    }
  }
  switch (body->getRuleIndex()) {
    case P::RuleCreateTableStatement:
      createTable(static_cast<P::CreateTableStatementContext*>(body));
      return;
    case P::RuleAlterTableStatement:
      alterTable(static_cast<P::AlterTableStatementContext*>(body));
      return;
    case P::RuleDropTableStatement: {
      auto* drop = static_cast<P::DropTableStatementContext*>(body);
      ddl.temporary = drop->TEMPORARY() != nullptr;
      ddlTables(drop->tableNameList(), DdlTable::Role::Target);
      return;
    }
    case P::RuleTruncateTableStatement:
      ddlTable(static_cast<P::TruncateTableStatementContext*>(body)->tableName(),
               DdlTable::Role::Target);
      return;
    case P::RuleRenameTableStatement: {
      // tableName TO tableName (COMMA tableName TO tableName)*: even positions are the old names.
      auto names = static_cast<P::RenameTableStatementContext*>(body)->tableName();
      for (size_t i = 0; i < names.size(); ++i) {
        ddlTable(names[i], i % 2 == 0 ? DdlTable::Role::Target : DdlTable::Role::RenameTo);
      }
      return;
    }
    case P::RuleCreateIndexStatement: {
      auto* create = static_cast<P::CreateIndexStatementContext*>(body);
      ddl.indexes.push_back(name(create->identifier()));
      ddlTable(create->tableName(), DdlTable::Role::Target);
      return;
    }
    case P::RuleDropIndexStatement: {
      auto* drop = static_cast<P::DropIndexStatementContext*>(body);
      ddl.indexes.push_back(name(drop->identifier()));
      ddlTable(drop->tableName(), DdlTable::Role::Target);
      return;
    }
    case P::RuleCreateDatabaseStatement:
      ddl.database = name(static_cast<P::CreateDatabaseStatementContext*>(body)->identifier());
      return;
    case P::RuleAlterDatabaseStatement:
      if (auto* id = static_cast<P::AlterDatabaseStatementContext*>(body)->identifier()) {
        ddl.database = name(id);
      }
      return;
    case P::RuleDropDatabaseStatement:
      ddl.database = name(static_cast<P::DropDatabaseStatementContext*>(body)->identifier());
      return;
    case P::RuleCreateViewStatement: {
      auto* create = static_cast<P::CreateViewStatementContext*>(body);
      ddlTable(create->qualifiedName(), DdlTable::Role::Target);
      size_t first = out_.tableRefs.size();
      ddlQuery(selectStatement(create->selectStatement()), first);
      return;
    }
    case P::RuleAlterViewStatement: {
      auto* alter = static_cast<P::AlterViewStatementContext*>(body);
      ddlTable(alter->qualifiedName(), DdlTable::Role::Target);
      size_t first = out_.tableRefs.size();
      ddlQuery(selectStatement(alter->selectStatement()), first);
      return;
    }
    case P::RuleDropViewStatement:
      ddlTables(static_cast<P::DropViewStatementContext*>(body)->tableNameList(),
                DdlTable::Role::Target);
      return;
    default:
      return;  // tablespaces, stored programs: kind only
  }
}

void Transformer::createTable(P::CreateTableStatementContext* ctx) {
  out_.ddl.temporary = ctx->TEMPORARY() != nullptr;
  auto names = ctx->tableName();
  ddlTable(names[0], DdlTable::Role::Target);
  if (names.size() > 1) {
    ddlTable(names[1], DdlTable::Role::Like);  // LIKE other, (LIKE other)
    return;
  }
  for (auto* element : ctx->tableElement()) {
    if (auto* column = element->columnDefinition()) {
      columnDefinition(column);
    } else if (auto* constraint = element->tableConstraint()) {
      tableConstraint(constraint);
    } else if (auto* index = element->indexDefinition()) {
      indexDefinition(index);
    }
  }
  if (auto* options = ctx->tableOptions()) {
    for (auto* option : options->tableOption()) tableOption(option);
  }
  if (auto* as = ctx->duplicateAsQuery()) {
    size_t first = out_.tableRefs.size();
    ddlQuery(queryExpression(as->queryExpression()), first);
  }
}

void Transformer::alterTable(P::AlterTableStatementContext* ctx) {
  DdlStatement& ddl = out_.ddl;
  ddlTable(ctx->tableName(), DdlTable::Role::Target);
  for (auto* item : ctx->alterTableItem()) {
    for (auto* option : item->tableOption()) tableOption(option);
    for (auto* column : item->columnDefinition()) columnDefinition(column);
    if (auto* constraint = item->tableConstraint()) {
      tableConstraint(constraint);  // ADD [CONSTRAINT c] ...
      continue;
    }
    if (auto* index = item->indexDefinition()) {
      indexDefinition(index);  // ADD INDEX | KEY | FULLTEXT | SPATIAL
      continue;
    }
    bool index = item->INDEX() != nullptr || item->KEY() != nullptr;
    bool constraint = item->CHECK() != nullptr || item->CONSTRAINT() != nullptr;
    if (item->DROP() != nullptr || item->ALTER() != nullptr) {
      // DROP INDEX | KEY i, DROP FOREIGN KEY fk, DROP CHECK | CONSTRAINT c, ALTER INDEX | KEY i,
      // ALTER CHECK | CONSTRAINT c. (DROP PRIMARY KEY names nothing; DROP COLUMN and ALTER
      // COLUMN name a column: neither has one of these keywords.)
      if ((index || constraint) && item->PRIMARY() == nullptr) {
        for (auto* id : item->identifier()) ddl.indexes.push_back(name(id));
      }
    } else if (item->RENAME() != nullptr) {
      if (index) {
        for (auto* id : item->identifier()) ddl.indexes.push_back(name(id));  // a TO b
      } else if (auto* to = item->tableName()) {
        ddlTable(to, DdlTable::Role::RenameTo);
      }
    } else if (item->EXCHANGE() != nullptr) {
      ddlTable(item->tableName(), DdlTable::Role::Exchange);
    }
  }
}

void Transformer::columnDefinition(P::ColumnDefinitionContext* ctx) {
  for (auto* attribute : ctx->columnAttribute()) {
    if (auto* reference = attribute->referenceDefinition()) {
      ddlTable(reference->tableName(), DdlTable::Role::References);
    } else if (attribute->CONSTRAINT() != nullptr && attribute->identifier() != nullptr) {
      out_.ddl.indexes.push_back(name(attribute->identifier()));  // CONSTRAINT c CHECK (...)
    }
  }
}

void Transformer::tableConstraint(P::TableConstraintContext* ctx) {
  // The identifiers directly under the rule are the constraint symbol and the index name (key
  // parts and options are nested rules). A PRIMARY KEY's names are ignored by MySQL.
  if (ctx->PRIMARY() == nullptr) {
    for (auto* id : ctx->identifier()) out_.ddl.indexes.push_back(name(id));
  }
  if (auto* reference = ctx->referenceDefinition()) {
    ddlTable(reference->tableName(), DdlTable::Role::References);
  }
}

void Transformer::indexDefinition(P::IndexDefinitionContext* ctx) {
  if (auto* id = ctx->identifier()) out_.ddl.indexes.push_back(name(id));
}

void Transformer::tableOption(P::TableOptionContext* ctx) {
  if (ctx->UNION() != nullptr && ctx->tableNameList() != nullptr) {
    ddlTables(ctx->tableNameList(), DdlTable::Role::Union);
  }
}

void Transformer::ddlTable(antlr4::ParserRuleContext* ctx, DdlTable::Role role) {
  // tableName and qualifiedName are both `identifier (DOT identifierAfterDot)?`.
  TableRef t;
  t.kind = TableRef::Kind::Table;
  t.span = span(ctx);
  const auto& c = ctx->children;
  if (c.size() == 3) {
    t.schema = name(static_cast<antlr4::ParserRuleContext*>(c[0]));
    t.name = name(static_cast<antlr4::ParserRuleContext*>(c[2]));
  } else {
    t.name = name(static_cast<antlr4::ParserRuleContext*>(c[0]));
  }
  out_.ddl.tables.push_back(DdlTable{addTable(std::move(t)), role});
}

void Transformer::ddlTables(P::TableNameListContext* ctx, DdlTable::Role role) {
  for (auto* table : ctx->tableName()) ddlTable(table, role);
}

void Transformer::ddlQuery(SelectId query, size_t firstTableRef) {
  out_.ddl.query = query;
  // The tables the select builder made from firstTableRef on, in text order (it makes a derived
  // table's inner tables before the derived table, and joins after their operands).
  std::vector<TableRefId> read;
  for (size_t id = firstTableRef; id < out_.tableRefs.size(); ++id) {
    if (out_.tableRefs[id].kind == TableRef::Kind::Table)
      read.push_back(static_cast<TableRefId>(id));
  }
  std::stable_sort(read.begin(), read.end(), [this](TableRefId a, TableRefId b) {
    return out_.tableRefs[a].span.begin < out_.tableRefs[b].span.begin;
  });
  for (TableRefId id : read) out_.ddl.tables.push_back(DdlTable{id, DdlTable::Role::Query});
}

}  // namespace shardproxy::parser::ast
