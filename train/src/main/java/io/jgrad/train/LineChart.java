package io.jgrad.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart drawn with Java2D and saved as PNG: one or more series over epochs 1..n, axes with tick labels,
 * a legend. Enough to see a loss curve without a plotting library.
 */
public final class LineChart {

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40)};
    private static final int W = 640, H = 400, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50;

    private final String title;
    private final String yLabel;
    private final Map<String, double[]> series = new LinkedHashMap<>();

    public LineChart(String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
    }

    /** Adds a series; NaN values are skipped (the line breaks there). */
    public LineChart add(String name, double[] values) {
        series.put(name, values.clone());
        return this;
    }

    public BufferedImage render() {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = 1;
        for (double[] s : series.values()) {
            n = Math.max(n, s.length);
            for (double v : s) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        int plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT + (plotW - g.getFontMetrics().stringWidth(title)) / 2, 20);
        g.drawString("epoch", LEFT + plotW / 2 - 15, H - 12);
        g.drawString(yLabel, 8, TOP - 8);
        g.setColor(new Color(230, 230, 230));
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - i * plotH / 5;
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - i * plotH / 5;
            g.drawString(String.format(Locale.ROOT, "%.4g", lo + (hi - lo) * i / 5), 6, y + 4);
        }
        int ticks = Math.min(n, 10);
        for (int i = 0; i < ticks; i++) {
            int epoch = 1 + (int) Math.round((double) i * (n - 1) / Math.max(ticks - 1, 1));
            int x = xOf(epoch, n, plotW);
            g.drawString(Integer.toString(epoch), x - 4, TOP + plotH + 16);
        }
        int k = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            Color c = PALETTE[k % PALETTE.length];
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            double[] s = e.getValue();
            for (int i = 0; i < s.length; i++) {
                if (!Double.isFinite(s[i])) continue;
                int x = xOf(i + 1, n, plotW), y = TOP + (int) Math.round((hi - s[i]) / (hi - lo) * plotH);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (i + 1 < s.length && Double.isFinite(s[i + 1])) {
                    int x2 = xOf(i + 2, n, plotW), y2 = TOP + (int) Math.round((hi - s[i + 1]) / (hi - lo) * plotH);
                    g.drawLine(x, y, x2, y2);
                }
            }
            g.fillRect(LEFT + plotW - 130, TOP + 10 + 18 * k, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), LEFT + plotW - 110, TOP + 16 + 18 * k);
            k++;
        }
        g.dispose();
        return img;
    }

    private static int xOf(int epoch, int n, int plotW) {
        return LEFT + (n == 1 ? plotW / 2 : (int) Math.round((double) (epoch - 1) / (n - 1) * plotW));
    }

    /** Renders and writes the PNG atomically. */
    public void write(Path png) throws IOException {
        PngFiles.write(png, render());
    }
}
