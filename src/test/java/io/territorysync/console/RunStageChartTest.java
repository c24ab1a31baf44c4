package io.territorysync.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.territorysync.run.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunStageChartTest {

  @Test
  void theStageChartListsStagesInTheOrderARunGoesThroughThemWhateverOrderTheSummaryKeeps()
      throws Exception {
    Run run = new Run();
    run.id = 7L;
    run.status = "succeeded";
    // PostgreSQL's jsonb gives keys back shortest first: plan, sync, rules, write, rollups
    Map<String, Object> stages = new LinkedHashMap<>();
    for (String stage : List.of("plan", "sync", "rules", "write", "rollups", "custom")) {
      stages.put(stage, Map.of("durationMs", stage.length() * 100L));
    }
    run.summary.put("stages", stages);

    String chart = new RunsPage().view(run).chart();

    JsonNode data = new ObjectMapper().readTree(chart).path("data");
    List<String> labels = new ArrayList<>();
    data.path("labels").forEach(l -> labels.add(l.asText()));
    assertEquals(List.of("sync", "rules", "plan", "write", "rollups", "custom"), labels);
    assertEquals(0.4, data.path("datasets").get(0).path("data").get(0).asDouble(), "sync's bar");
  }
}
