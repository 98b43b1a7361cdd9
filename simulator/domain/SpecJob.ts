/** A data-zone (数据分析专区) job: what specapi/create_job was given, kept for the zone program. */
export type SpecJob = {
  jobId: string;
  corpId: string;
  customId: string;
  customData: string;
  items: { msgid: string; secretKey: string }[];
  createdAtMs: number;
  /** The program's output, computed once when the job finishes. */
  result: { jobType: string; data: string } | null;
};
