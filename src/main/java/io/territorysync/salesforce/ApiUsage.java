package io.territorysync.salesforce;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The org's API usage as Salesforce last reported it ({@code Sforce-Limit-Info}), and the calls
 * this process made, as the {@code territory.salesforce.api.calls} metric.
 */
@ApplicationScoped
public class ApiUsage {

  private static final Pattern LIMIT_INFO = Pattern.compile("api-usage=(\\d+)/(\\d+)");

  private final AtomicLong used = new AtomicLong(-1);
  private final AtomicLong max = new AtomicLong(-1);
  private Counter calls;

  @Inject
  void metrics(MeterRegistry registry) {
    calls =
        Counter.builder("territory.salesforce.api.calls")
            .description("Salesforce API calls made")
            .register(registry);
  }

  void called() {
    if (calls != null) {
      calls.increment();
    }
  }

  /** Records a {@code Sforce-Limit-Info} header value. */
  void observe(String limitInfo) {
    if (limitInfo == null) {
      return;
    }
    Matcher m = LIMIT_INFO.matcher(limitInfo);
    if (m.find()) {
      used.set(Long.parseLong(m.group(1)));
      max.set(Long.parseLong(m.group(2)));
    }
  }

  /** Records the org's usage from a /limits answer. */
  void observe(long maxCalls, long remaining) {
    max.set(maxCalls);
    used.set(maxCalls - remaining);
  }

  /** Daily API calls the org has left, or -1 when Salesforce has not said yet. */
  public long remainingToday() {
    long m = max.get();
    long u = used.get();
    return m < 0 || u < 0 ? -1 : Math.max(0, m - u);
  }

  /** The org's daily allocation, or -1 when not known yet. */
  public long dailyMax() {
    return max.get();
  }
}
