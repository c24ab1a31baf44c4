package io.territorysync.emulator.soql;

import io.github.apexdevtools.apexparser.ApexLexer;
import io.github.apexdevtools.apexparser.ApexParser;
import io.github.apexdevtools.apexparser.CaseInsensitiveInputStream;
import io.territorysync.emulator.ApiException;
import io.territorysync.emulator.Values;
import io.territorysync.emulator.soql.SoqlQuery.Comparison;
import io.territorysync.emulator.soql.SoqlQuery.Condition;
import io.territorysync.emulator.soql.SoqlQuery.Literal;
import io.territorysync.emulator.soql.SoqlQuery.Operator;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Parses SOQL with the Apex grammar of apex-parser and keeps the subset the emulator answers;
 * anything else is refused with MALFORMED_QUERY rather than answered wrongly.
 */
public final class SoqlParser {

  private SoqlParser() {}

  /** Parses {@code soql}; {@code today} resolves relative date literals. */
  public static SoqlQuery parse(String soql, LocalDate today) {
    if (soql == null || soql.isBlank()) {
      throw ApiException.malformedQuery("The query is empty");
    }
    ApexLexer lexer = new ApexLexer(new CaseInsensitiveInputStream(CharStreams.fromString(soql)));
    ApexParser parser = new ApexParser(new CommonTokenStream(lexer));
    BaseErrorListener errors =
        new BaseErrorListener() {
          @Override
          public void syntaxError(
              Recognizer<?, ?> r,
              Object offending,
              int line,
              int column,
              String msg,
              RecognitionException e) {
            String near = offending instanceof Token t ? t.getText() : "";
            throw ApiException.malformedQuery(
                "unexpected token: '"
                    + near
                    + "' at line "
                    + line
                    + " column "
                    + (column + 1)
                    + " ("
                    + msg
                    + ")");
          }
        };
    lexer.removeErrorListeners();
    lexer.addErrorListener(errors);
    parser.removeErrorListeners();
    parser.addErrorListener(errors);
    ApexParser.QueryContext q = parser.query();
    if (parser.getCurrentToken().getType() != Token.EOF) {
      Token t = parser.getCurrentToken();
      throw ApiException.malformedQuery(
          "unexpected token: '" + t.getText() + "' at column " + (t.getCharPositionInLine() + 1));
    }
    return new SoqlParser.Builder(today).query(q);
  }

  private static final class Builder {
    private final LocalDate today;

    Builder(LocalDate today) {
      this.today = today;
    }

    SoqlQuery query(ApexParser.QueryContext q) {
      unsupported(q.usingScope(), "USING SCOPE");
      unsupported(q.withClause(), "WITH");
      unsupported(q.allRowsClause(), "ALL ROWS");
      if (q.forClauses() != null && q.forClauses().getChildCount() > 0) {
        unsupported(q.forClauses(), "FOR VIEW/UPDATE/REFERENCE");
      }
      if (q.updateList() != null) {
        unsupported(q.updateList(), "UPDATE TRACKING/VIEWSTAT");
      }
      ApexParser.FromNameListContext from = q.fromNameList();
      if (from.fieldName().size() != 1 || !from.soqlId().isEmpty()) {
        throw ApiException.malformedQuery(
            "The emulator answers queries on one object without an alias: " + text(from));
      }
      String object = from.fieldName(0).getText();
      List<List<String>> fields = new ArrayList<>();
      boolean count = false;
      List<String> countOf = null;
      String countAlias = null;
      for (ApexParser.SelectEntryContext e : q.selectList().selectEntry()) {
        boolean aggregate =
            e.soqlFunction() != null
                && e.soqlFunction().COUNT() != null
                && e.soqlFunction().fieldName() != null;
        if (e.soqlId() != null && !aggregate) {
          throw ApiException.malformedQuery(
              "Aliases are only allowed for aggregate expressions: " + text(e));
        }
        if (e.fieldName() != null) {
          fields.add(path(e.fieldName()));
        } else if (aggregate && countOf == null) {
          countOf = path(e.soqlFunction().fieldName());
          countAlias = e.soqlId() != null ? e.soqlId().getText() : "expr0";
        } else if (e.soqlFunction() != null
            && e.soqlFunction().COUNT() != null
            && e.soqlFunction().fieldName() == null) {
          count = true;
        } else {
          throw ApiException.malformedQuery(
              "The emulator does not support '" + text(e) + "' in SELECT");
        }
      }
      List<String> groupBy = null;
      if (q.groupByClause() != null) {
        ApexParser.GroupByClauseContext g = q.groupByClause();
        if (g.HAVING() != null || g.ROLLUP() != null || g.CUBE() != null) {
          throw ApiException.malformedQuery(
              "The emulator answers GROUP BY one field, without HAVING, ROLLUP or CUBE");
        }
        if (g.selectList() == null
            || g.selectList().selectEntry().size() != 1
            || g.selectList().selectEntry(0).fieldName() == null) {
          throw ApiException.malformedQuery("The emulator answers GROUP BY one field");
        }
        groupBy = path(g.selectList().selectEntry(0).fieldName());
      }
      if (countOf != null || groupBy != null) {
        for (List<String> f : fields) {
          if (groupBy == null || !String.join(".", f).equalsIgnoreCase(String.join(".", groupBy))) {
            throw ApiException.malformedQuery(
                "Field must be grouped or aggregated: " + String.join(".", f));
          }
        }
        if (countOf == null) {
          throw ApiException.malformedQuery("The emulator answers GROUP BY with COUNT(field)");
        }
      }
      if (count && !fields.isEmpty()) {
        throw ApiException.malformedQuery("COUNT() must be the only element in the SELECT list");
      }
      Condition where =
          q.whereClause() == null ? null : logical(q.whereClause().logicalExpression());
      List<SoqlQuery.Order> order = new ArrayList<>();
      if (q.orderByClause() != null) {
        if (count) {
          throw ApiException.malformedQuery("ORDER BY is not allowed with COUNT()");
        }
        for (ApexParser.FieldOrderContext o : q.orderByClause().fieldOrderList().fieldOrder()) {
          if (o.fieldName() == null) {
            throw ApiException.malformedQuery(
                "The emulator does not support ordering by " + text(o));
          }
          boolean desc = o.DESC() != null;
          boolean nullsFirst = o.NULLS() != null ? o.FIRST() != null : !desc;
          order.add(new SoqlQuery.Order(path(o.fieldName()), desc, nullsFirst));
        }
      }
      Integer limit = null;
      if (q.limitClause() != null) {
        if (q.limitClause().IntegerLiteral() == null) {
          throw ApiException.malformedQuery("LIMIT needs a number");
        }
        limit = Integer.parseInt(q.limitClause().IntegerLiteral().getText());
      }
      Integer offset = null;
      if (q.offsetClause() != null) {
        if (q.offsetClause().IntegerLiteral() == null) {
          throw ApiException.malformedQuery("OFFSET needs a number");
        }
        offset = Integer.parseInt(q.offsetClause().IntegerLiteral().getText());
        if (offset > 2000) {
          throw new ApiException(
              400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000");
        }
      }
      return new SoqlQuery(
          object,
          List.copyOf(fields),
          count,
          where,
          List.copyOf(order),
          limit,
          offset,
          groupBy,
          countOf,
          countAlias);
    }

    private Condition logical(ApexParser.LogicalExpressionContext e) {
      if (e.NOT() != null) {
        return new SoqlQuery.Not(conditional(e.conditionalExpression(0)));
      }
      List<Condition> parts = new ArrayList<>();
      for (ApexParser.ConditionalExpressionContext c : e.conditionalExpression()) {
        parts.add(conditional(c));
      }
      if (parts.size() == 1) {
        return parts.get(0);
      }
      return e.SOQLAND().isEmpty() ? new SoqlQuery.Or(parts) : new SoqlQuery.And(parts);
    }

    private Condition conditional(ApexParser.ConditionalExpressionContext c) {
      if (c.logicalExpression() != null) {
        return logical(c.logicalExpression());
      }
      ApexParser.FieldExpressionContext f = c.fieldExpression();
      if (f.fieldName() == null) {
        throw ApiException.malformedQuery(
            "The emulator does not support '" + text(f) + "' in WHERE");
      }
      Operator op = operator(f.comparisonOperator());
      Literal value = literal(f.value());
      boolean listOp =
          op == Operator.IN
              || op == Operator.NOT_IN
              || op == Operator.INCLUDES
              || op == Operator.EXCLUDES;
      if (listOp != value instanceof SoqlQuery.ListValue) {
        throw ApiException.malformedQuery(
            listOp
                ? op.text + " needs a parenthesised list of values: " + text(f)
                : "a list of values needs IN, NOT IN, INCLUDES or EXCLUDES: " + text(f));
      }
      return new Comparison(path(f.fieldName()), op, value);
    }

    private static Operator operator(ApexParser.ComparisonOperatorContext c) {
      List<Integer> types = new ArrayList<>();
      for (ParseTree child : c.children) {
        types.add(((TerminalNode) child).getSymbol().getType());
      }
      if (types.equals(List.of(ApexLexer.ASSIGN))) {
        return Operator.EQ;
      }
      if (types.equals(List.of(ApexLexer.NOTEQUAL))
          || types.equals(List.of(ApexLexer.LESSANDGREATER))) {
        return Operator.NE;
      }
      if (types.equals(List.of(ApexLexer.LT))) {
        return Operator.LT;
      }
      if (types.equals(List.of(ApexLexer.GT))) {
        return Operator.GT;
      }
      if (types.equals(List.of(ApexLexer.LT, ApexLexer.ASSIGN))) {
        return Operator.LE;
      }
      if (types.equals(List.of(ApexLexer.GT, ApexLexer.ASSIGN))) {
        return Operator.GE;
      }
      if (types.equals(List.of(ApexLexer.LIKE))) {
        return Operator.LIKE;
      }
      if (types.equals(List.of(ApexLexer.IN))) {
        return Operator.IN;
      }
      if (types.equals(List.of(ApexLexer.NOT, ApexLexer.IN))) {
        return Operator.NOT_IN;
      }
      if (types.equals(List.of(ApexLexer.INCLUDES))) {
        return Operator.INCLUDES;
      }
      if (types.equals(List.of(ApexLexer.EXCLUDES))) {
        return Operator.EXCLUDES;
      }
      throw ApiException.malformedQuery("unknown operator " + c.getText());
    }

    private Literal literal(ApexParser.ValueContext v) {
      if (v.NULL() != null) {
        return new SoqlQuery.Null();
      }
      if (v.BooleanLiteral() != null) {
        return new SoqlQuery.Bool(
            Boolean.parseBoolean(v.BooleanLiteral().getText().toLowerCase(Locale.ROOT)));
      }
      if (v.signedNumber() != null) {
        return new SoqlQuery.Num(new BigDecimal(v.signedNumber().getText()));
      }
      if (v.StringLiteral() != null) {
        return new SoqlQuery.Str(unquote(v.StringLiteral().getText()));
      }
      if (v.DateLiteral() != null) {
        return new SoqlQuery.DateValue(LocalDate.parse(v.DateLiteral().getText()));
      }
      if (v.DateTimeLiteral() != null) {
        return new SoqlQuery.DateTimeValue(Values.parseDateTime(v.DateTimeLiteral().getText()));
      }
      if (v.dateFormula() != null) {
        return dateFormula(v.dateFormula());
      }
      if (v.valueList() != null) {
        List<Literal> values = new ArrayList<>();
        for (ApexParser.ValueContext item : v.valueList().value()) {
          Literal l = literal(item);
          if (l instanceof SoqlQuery.ListValue) {
            throw ApiException.malformedQuery("nested value lists are not allowed");
          }
          values.add(l);
        }
        return new SoqlQuery.ListValue(List.copyOf(values));
      }
      throw ApiException.malformedQuery(
          "The emulator does not support the value '"
              + text(v)
              + "' (semi-joins, bind variables and currency literals are not answered)");
    }

    private Literal dateFormula(ApexParser.DateFormulaContext f) {
      String text = f.getText().toUpperCase(Locale.ROOT);
      String name = text.contains(":") ? text.substring(0, text.indexOf(':')) : text;
      int n = text.contains(":") ? Integer.parseInt(text.substring(text.indexOf(':') + 1)) : 0;
      LocalDate monthStart = today.withDayOfMonth(1);
      LocalDate quarterStart = today.with(IsoFields.DAY_OF_QUARTER, 1);
      LocalDate yearStart = today.withDayOfYear(1);
      LocalDate weekStart =
          today.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.SUNDAY));
      return switch (name) {
        case "TODAY" -> range(text, today, today.plusDays(1));
        case "YESTERDAY" -> range(text, today.minusDays(1), today);
        case "TOMORROW" -> range(text, today.plusDays(1), today.plusDays(2));
        case "LAST_N_DAYS" -> range(text, today.minusDays(n), today.plusDays(1));
        case "NEXT_N_DAYS" -> range(text, today.plusDays(1), today.plusDays(n + 1L));
        case "LAST_90_DAYS" -> range(text, today.minusDays(90), today.plusDays(1));
        case "NEXT_90_DAYS" -> range(text, today.plusDays(1), today.plusDays(91));
        case "THIS_WEEK" -> range(text, weekStart, weekStart.plusWeeks(1));
        case "LAST_WEEK" -> range(text, weekStart.minusWeeks(1), weekStart);
        case "NEXT_WEEK" -> range(text, weekStart.plusWeeks(1), weekStart.plusWeeks(2));
        case "THIS_MONTH" -> range(text, monthStart, monthStart.plusMonths(1));
        case "LAST_MONTH" -> range(text, monthStart.minusMonths(1), monthStart);
        case "NEXT_MONTH" -> range(text, monthStart.plusMonths(1), monthStart.plusMonths(2));
        case "THIS_QUARTER" -> range(text, quarterStart, quarterStart.plusMonths(3));
        case "LAST_QUARTER" -> range(text, quarterStart.minusMonths(3), quarterStart);
        case "NEXT_QUARTER" -> range(text, quarterStart.plusMonths(3), quarterStart.plusMonths(6));
        case "THIS_YEAR" -> range(text, yearStart, yearStart.plusYears(1));
        case "LAST_YEAR" -> range(text, yearStart.minusYears(1), yearStart);
        case "NEXT_YEAR" -> range(text, yearStart.plusYears(1), yearStart.plusYears(2));
        default ->
            throw ApiException.malformedQuery(
                "The emulator does not support the date literal " + text);
      };
    }

    private static Literal range(String text, LocalDate from, LocalDate to) {
      return new SoqlQuery.DateRange(text, from, to);
    }

    private static List<String> path(ApexParser.FieldNameContext f) {
      List<String> out = new ArrayList<>();
      for (ApexParser.SoqlIdContext id : f.soqlId()) {
        out.add(id.getText());
      }
      return List.copyOf(out);
    }

    private static String unquote(String literal) {
      String body = literal.substring(1, literal.length() - 1);
      StringBuilder sb = new StringBuilder(body.length());
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        if (c == '\\' && i + 1 < body.length()) {
          char n = body.charAt(++i);
          switch (n) {
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case '_' -> sb.append("\\_");
            case '%' -> sb.append("\\%");
            default -> sb.append(n);
          }
        } else {
          sb.append(c);
        }
      }
      return sb.toString();
    }

    private static void unsupported(ParserRuleContext ctx, String what) {
      if (ctx != null) {
        throw ApiException.malformedQuery(
            "The emulator does not support " + what + ": " + text(ctx));
      }
    }

    private static String text(ParserRuleContext ctx) {
      Token start = ctx.getStart();
      Token stop = ctx.getStop();
      if (start == null || stop == null || start.getInputStream() == null) {
        return ctx.getText();
      }
      return start
          .getInputStream()
          .getText(
              new org.antlr.v4.runtime.misc.Interval(start.getStartIndex(), stop.getStopIndex()));
    }
  }
}
