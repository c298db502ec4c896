export { ApiKeys as default } from "@workos-inc/widgets/api-keys";
