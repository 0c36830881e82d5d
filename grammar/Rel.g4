// The relc language: relationship-marketing programs.
//
// This grammar fixes the whole shape of the language. Meaning (types, units, what is allowed
// where) belongs to sema; the parse tree never leaves compiler/syntax, where a transformer turns
// it into our own AST. Statements need no terminator: every item starts with a keyword or a
// `label:`, and `;` may separate items written on one line.
grammar Rel;

@parser::members {
  // A unit must sit on the same line as its number: `wait 5 days` is a quantity, but in
  // `set score = 5` followed by a `next:` label on the following line, `next` is not a unit.
  bool unitOnSameLine() {
    return _input->LT(-1)->getLine() == _input->LT(1)->getLine();
  }
}

// ---------------------------------------------------------------------------------------------
// Files

file
    : importDecl* declaration* EOF
    ;

importDecl
    : IMPORT modulePath (AS name)? SEMI?
    ;

modulePath
    : name (DOT name)*      # stdModulePath
    | STRING                # fileModulePath
    ;

// Declarations may appear at the top level of a module (the standard library, a shared policy
// file) or inside a program; sema decides which belong where.
declaration
    : declarationBody SEMI?
    ;

declarationBody
    : programDecl
    | objectiveDecl
    | panelDecl
    | pressureDecl
    | consentDecl
    | holdoutDecl
    | offerDecl
    | channelDecl
    | scenarioDecl
    | kpiDecl
    | expectDecl
    | modelDecl
    | schemaDecl
    | sourceDecl
    | functionDecl
    | priorityDecl
    ;

programDecl
    : PROGRAM STRING LBRACE declaration* RBRACE
    ;

priorityDecl
    : PRIORITY expr
    ;

// objective reactivation { goal purchase within 30 days; target conversion >= 4% }
objectiveDecl
    : OBJECTIVE name LBRACE objectiveItem* RBRACE
    ;

objectiveItem
    : GOAL expr SEMI?       # goalItem
    | TARGET expr SEMI?     # targetItem
    ;

// panel dormant = customers where recency > 180 days and frequency >= 2
panelDecl
    : PANEL name parameterList? ASSIGN expr
    ;

// pressure { at most 2 messages per 7 days; quiet hours 21:00..08:00 }
pressureDecl
    : PRESSURE LBRACE pressureRule* RBRACE
    ;

pressureRule
    : AT MOST expr PER expr (ACROSS PROGRAMS)? SEMI?      # capRule
    | AT LEAST expr BETWEEN name SEMI?                     # gapRule
    | QUIET HOURS expr (THEN name)? SEMI?                  # quietHoursRule
    | WHEN CAPPED THEN (name | EXIT) SEMI?                 # whenCappedRule
    ;

// consent { email if email_optin; postal always }
consentDecl
    : CONSENT LBRACE consentRule* RBRACE
    | CONSENT consentRule
    ;

consentRule
    : name (IF expr | ALWAYS) SEMI?
    ;

holdoutDecl
    : HOLDOUT expr
    ;

// offer comeback = discount 15% { cost = 2 EUR; valid = 14 days }
offerDecl
    : OFFER name ASSIGN name expr? propertyBlock?
    ;

channelDecl
    : CHANNEL name propertyBlock
    ;

propertyBlock
    : LBRACE property* RBRACE
    ;

property
    : name ASSIGN expr SEMI?
    ;

scenarioDecl
    : SCENARIO name parameterList? LBRACE scenarioItem* RBRACE     # scenarioBlock
    | SCENARIO name ASSIGN expr                                    # scenarioInstance
    ;

scenarioItem
    : TRIGGER trigger SEMI?                                   # triggerItem
    | REENTRY reentryRule SEMI?                               # reentryItem
    | AUDIENCE expr SEMI?                                     # audienceItem
    | EXIT ON expr (COMMA expr)* SEMI?                        # exitCriteriaItem
    | HOLDOUT expr SEMI?                                      # scenarioHoldoutItem
    | PRIORITY expr SEMI?                                     # scenarioPriorityItem
    | step SEMI?                                              # stepItem
    ;

trigger
    : ENTER expr                                  # enterTrigger
    | ON expr                                     # eventTrigger
    | EVERY name ON expr (AT expr)?               # recurringTrigger
    | AT expr                                     # dateTrigger
    | AFTER expr WITHOUT name                     # inactivityTrigger
    ;

reentryRule
    : ONCE (PER expr)?
    | ALWAYS
    ;

step
    : (name COLON)? stepBody
    ;

stepBody
    : SEND name STRING? (WITH name)?                              # sendStep
    | WAIT waitSpec waitRoute*                                    # waitStep
    | BRANCH LBRACE branchArm* (OTHERWISE ARROW stepTarget SEMI?)? RBRACE   # branchStep
    | SPLIT LBRACE splitArm* winnerRule? RBRACE                   # splitStep
    | SET name (DOT name)* ASSIGN expr                            # setStep
    | TAG STRING                                                  # tagStep
    | UNTAG STRING                                                # untagStep
    | GOTO name                                                   # gotoStep
    | ENTER name                                                  # enterStep
    | EXIT                                                        # exitStep
    ;

waitSpec
    : UNTIL expr                  # waitUntil
    | expr                        # waitFor
    ;

// wait 3 days or until purchase matching cart_id -> exit
waitRoute
    : OR UNTIL expr (MATCHING name)? ARROW stepTarget
    ;

branchArm
    : WHEN expr ARROW stepTarget SEMI?
    ;

splitArm
    : expr ARROW stepTarget SEMI?
    ;

// winner by clicked after 7 days
winnerRule
    : WINNER BY expr AFTER expr SEMI?
    ;

stepTarget
    : stepBody
    | LBRACE (step SEMI?)* RBRACE
    ;

kpiDecl
    : KPI name parameterList? ASSIGN expr
    ;

expectDecl
    : EXPECT expr (ELSE STRING)?
    ;

// model default { response email { opened = 21% } fatigue = 5% }
modelDecl
    : MODEL name LBRACE modelItem* RBRACE
    ;

// `baseline for <panel> { converted = 3.1%; basket = 58 EUR; window = 30 days }`: what customers
// buy anyway, as a past campaign's control measured it. `baseline` is a word, not a keyword.
modelItem
    : RESPONSE name STRING? (FOR expr)? propertyBlock     # responseItem
    | name (FOR expr)? propertyBlock                       # baselineItem
    | property                                             # modelPropertyItem
    ;

// schema crm { customer { id: string key } event purchase { amount: money } }
schemaDecl
    : SCHEMA name LBRACE schemaEntity* RBRACE
    ;

schemaEntity
    : EVENT? name LBRACE field* RBRACE
    ;

field
    : name COLON typeRef fieldModifier* SEMI?
    ;

fieldModifier
    : KEY | OPTIONAL | REQUIRED
    ;

// An export described as it is, for a schema: its tables, then how each entity and event is
// read from them.
// source shop for crm { table lines from "lines.csv" { time_zone = "Europe/London" }
//                       event purchase from lines by InvoiceNo { customer = CustomerID ... } }
sourceDecl
    : SOURCE name FOR name LBRACE sourceItem* RBRACE
    ;

sourceItem
    : TABLE name FROM STRING propertyBlock? SEMI?                            # sourceTableItem
    | EVENT? name FROM name (WHEN expr)? (BY expr)? propertyBlock SEMI?      # sourceEntityItem
    ;

// Declaration kinds double as types, for template parameters: `scenario winback(audience: panel)`.
typeRef
    : typeName (LPAREN name RPAREN)?
    ;

typeName
    : name | PANEL | OFFER | SCENARIO | CHANNEL | KPI
    ;

functionDecl
    : FUNCTION name parameterList COLON typeRef ASSIGN expr   # definedFunction
    | NATIVE FUNCTION name parameterList COLON typeRef        # nativeFunction
    ;

parameterList
    : LPAREN (parameter (COMMA parameter)*)? RPAREN
    ;

parameter
    : name COLON typeRef (ASSIGN expr)?
    ;

// ---------------------------------------------------------------------------------------------
// Expressions, loosest binding last.

expr
    : primary                                                      # primaryExpr
    | expr DOT name                                                # memberExpr
    | expr LPAREN (argument (COMMA argument)*)? RPAREN             # callExpr
    | op=(MINUS | PLUS) expr                                       # unaryExpr
    | expr op=(STAR | SLASH) expr                                  # multiplicativeExpr
    | expr op=(PLUS | MINUS) expr                                  # additiveExpr
    | expr RANGE expr                                              # rangeExpr
    | expr op=(LT | LE | GT | GE | EQ | NE) expr                   # comparisonExpr
    | expr ASSIGN expr                                             # assignInsteadOfEqualExpr
    | expr IS NOT? KW_NULL                                         # nullTestExpr
    | expr IN rank=(TOP | BOTTOM) expr                             # rankExpr
    | expr NOT? IN expr                                            # membershipExpr
    | NOT expr                                                     # notExpr
    | BANG expr                                                    # bangInsteadOfNotExpr
    | expr AND expr                                                # andExpr
    | expr AMPAMP expr                                             # ampInsteadOfAndExpr
    | expr OR expr                                                 # orExpr
    | expr PIPEPIPE expr                                           # pipeInsteadOfOrExpr
    | expr op=(UNION | INTERSECT | EXCEPT) expr                    # setExpr
    | <assoc=right> expr WHERE expr                                # filterExpr
    // Looser than `where`: `purchase where amount > 50 EUR within last 90 days` windows the
    // filtered events.
    | expr WITHIN LAST? expr                                       # windowExpr
    | IF expr THEN expr ELSE expr                                  # conditionalExpr
    ;

argument
    : (name COLON)? expr
    ;

primary
    : NUMBER ({unitOnSameLine()}? unit=name | PERCENT)?            # numberLiteral
    | STRING                                                       # stringLiteral
    | DATETIME                                                     # dateTimeLiteral
    | DATE                                                         # dateLiteral
    | TIME                                                         # timeLiteral
    | (KW_TRUE | KW_FALSE)                                         # boolLiteral
    | KW_NULL                                                      # nullLiteral
    | LBRACKET (expr (COMMA expr)*)? RBRACKET                      # listLiteral
    | LPAREN expr RPAREN                                           # parenExpr
    | name                                                         # nameExpr
    ;

// Words that are keywords in one place but fine as names elsewhere (a step may be called
// `last`, an attribute `target`, a duration unit `hours`, and `consent(email)` is a call).
name
    : IDENT
    | LAST | ONCE | ALWAYS | TARGET | GOAL | HOURS | KEY | OPTIONAL
    | REQUIRED | RESPONSE | MODEL | TAG | UNTAG | PROGRAMS | CAPPED | WINNER | QUIET | MOST
    | LEAST | EVERY | AFTER | WITHOUT | MATCHING | AUDIENCE | REENTRY | NATIVE | EVENT | SCHEMA
    | PRIORITY | CONSENT | SOURCE | TABLE | FROM
    ;

// ---------------------------------------------------------------------------------------------
// Lexer

IMPORT    : 'import';
AS        : 'as';
PROGRAM   : 'program';
PRIORITY  : 'priority';
OBJECTIVE : 'objective';
GOAL      : 'goal';
TARGET    : 'target';
PANEL     : 'panel';
PRESSURE  : 'pressure';
AT        : 'at';
MOST      : 'most';
LEAST     : 'least';
PER       : 'per';
ACROSS    : 'across';
PROGRAMS  : 'programs';
BETWEEN   : 'between';
QUIET     : 'quiet';
HOURS     : 'hours';
CAPPED    : 'capped';
CONSENT   : 'consent';
ALWAYS    : 'always';
HOLDOUT   : 'holdout';
OFFER     : 'offer';
CHANNEL   : 'channel';
SCENARIO  : 'scenario';
TRIGGER   : 'trigger';
REENTRY   : 'reentry';
AUDIENCE  : 'audience';
ENTER     : 'enter';
ON        : 'on';
EVERY     : 'every';
AFTER     : 'after';
WITHOUT   : 'without';
ONCE      : 'once';
SEND      : 'send';
WITH      : 'with';
WAIT      : 'wait';
UNTIL     : 'until';
MATCHING  : 'matching';
BRANCH    : 'branch';
WHEN      : 'when';
OTHERWISE : 'otherwise';
SPLIT     : 'split';
WINNER    : 'winner';
BY        : 'by';
SET       : 'set';
TAG       : 'tag';
UNTAG     : 'untag';
GOTO      : 'goto';
EXIT      : 'exit';
KPI       : 'kpi';
EXPECT    : 'expect';
MODEL     : 'model';
RESPONSE  : 'response';
FOR       : 'for';
SCHEMA    : 'schema';
SOURCE    : 'source';
TABLE     : 'table';
FROM      : 'from';
EVENT     : 'event';
KEY       : 'key';
OPTIONAL  : 'optional';
REQUIRED  : 'required';
FUNCTION  : 'function';
NATIVE    : 'native';
WHERE     : 'where';
WITHIN    : 'within';
LAST      : 'last';
IN        : 'in';
TOP       : 'top';
BOTTOM    : 'bottom';
UNION     : 'union';
INTERSECT : 'intersect';
EXCEPT    : 'except';
AND       : 'and';
OR        : 'or';
NOT       : 'not';
IS        : 'is';
IF        : 'if';
THEN      : 'then';
ELSE      : 'else';
KW_TRUE   : 'true';
KW_FALSE  : 'false';
KW_NULL   : 'null';

ARROW     : '->';
RANGE     : '..';
LE        : '<=';
GE        : '>=';
EQ        : '==';
NE        : '!=';
AMPAMP    : '&&';
PIPEPIPE  : '||';
LT        : '<';
GT        : '>';
ASSIGN    : '=';
BANG      : '!';
PLUS      : '+';
MINUS     : '-';
STAR      : '*';
SLASH     : '/';
PERCENT   : '%';
DOT       : '.';
COMMA     : ',';
COLON     : ':';
SEMI      : ';';
LPAREN    : '(';
RPAREN    : ')';
LBRACE    : '{';
RBRACE    : '}';
LBRACKET  : '[';
RBRACKET  : ']';

DATETIME  : DIGIT4 '-' DIGIT2 '-' DIGIT2 'T' DIGIT2 ':' DIGIT2;
DATE      : DIGIT4 '-' DIGIT2 '-' DIGIT2;
TIME      : DIGIT2 ':' DIGIT2;
NUMBER    : [0-9]+ ('.' [0-9]+)?;

STRING          : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"';
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
// Text between typographic quotes, as pasted from a word processor: reported, then read as a
// string so that one slip costs one diagnostic.
CURLY_QUOTED_STRING : ('\u201C' | '\u00AB') ~[\u201D\u00BB\r\n]* ('\u201D' | '\u00BB');

IDENT     : [\p{Alpha}_] [\p{Alpha}\p{Digit}_]*;

// Doc comments stay on the hidden channel; the transformer attaches them to the declaration
// that follows, so a stray `///` is never a syntax error.
DOC_COMMENT   : '///' ~[\r\n]* -> channel(HIDDEN);
LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
// A body that never contains `*/`, so that a closed comment is never taken for this.
UNTERMINATED_BLOCK_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
// Whitespace makes no token at all: nothing reads it, and it is half of all tokens.
WS            : [ \t\r\n\u000C]+ -> skip;

// Anything else is one bad character; the parser wrapper reports it with its code point.
UNKNOWN_CHAR  : . ;

fragment DIGIT2 : [0-9] [0-9];
fragment DIGIT4 : [0-9] [0-9] [0-9] [0-9];
